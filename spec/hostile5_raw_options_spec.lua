-- Option and search-space tables with a __pairs metamethod: lunet.tune and
-- plot.show walk them raw, as every other option check does (fifth round).
local lunet = require "lunet"
local H = require "spec.helpers"

local boom = { __pairs = function() error("__pairs ran") end }

local function raw(t)
  return setmetatable(t, boom)
end

describe("tables walked raw", function()
  it("tune.grid's space and tune.random's space and options", function()
    assert.matches("space.eta must be a non%-empty list", H.err(lunet.tune.grid, raw { eta = 5 }))
    assert.matches("trials must be a positive integer",
      H.err(lunet.tune.random, raw { eta = { 0.1 } }, raw { trials = 0 }))
  end)

  it("tune.run's and tune.eta_threshold's options", function()
    local err = H.err(lunet.tune.run, { { eta = 0.1 } }, raw { epochs = 1 })
    assert.is_nil(err:find("__pairs ran", 1, true), err)
    err = H.err(lunet.tune.eta_threshold, raw { epochs = 1 })
    assert.is_nil(err:find("__pairs ran", 1, true), err)
  end)

  it("plot.show's options and one series' fields", function()
    local parts, write = {}, io.write
    io.write = function(...) for _, s in ipairs { ... } do parts[#parts + 1] = s end end   -- luacheck: ignore
    local ok, err = pcall(lunet.plot.show, raw { y = { 1, 4, 9 }, title = "squares", color = false })
    local ok2, err2 = pcall(lunet.plot.show, raw { series = { { y = { 1, 4, 9 } } }, color = false })
    io.write = write   -- luacheck: ignore
    assert(ok, err)
    assert(ok2, err2)
    assert.matches("^squares\n", table.concat(parts))
  end)
end)
