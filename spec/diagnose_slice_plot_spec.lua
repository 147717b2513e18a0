-- diagnose.cost_slice's drawings: a surface is a heat map labelled at the
-- first, middle and last steps only (rows t, columns s), a line a line
-- chart, each with its default title (or the given one).
local lunet = require "lunet"
local H = require "spec.helpers"

local function tiny()
  lunet.seed(4)
  return lunet.Network({ 2, 2, 1 }, { dtype = "float64" })
end

local DATA = { x = lunet.tensor({ { 0.3, -0.7 }, { 1, 2 } }, "float64"), y = lunet.tensor({ { 1 }, { 0 } }, "float64") }

local function texts(svg)
  local t = {}
  for s in svg:gmatch("<text[^>]*>([^<]*)</text>") do t[#t + 1] = s end
  return t
end

local function count(list, v)
  local n = 0
  for _, x in ipairs(list) do if x == v then n = n + 1 end end
  return n
end

describe("diagnose.cost_slice drawings", function()
  it("labels a surface's heat map at the first, middle and last steps", function()
    local path = H.tmpname(".svg")
    local r = lunet.diagnose.cost_slice(tiny(), DATA, { direction = "random", direction2 = "random", seed = 1,
      steps = 5, range = { -1, 1 }, file = path })
    local svg = H.read(path)
    os.remove(path)
    assert.are.same({ -1, -0.5, 0, 0.5, 1 }, r.s)
    assert.are.equal(5, #r.cost)
    local t = texts(svg)
    assert.are.equal(1, count(t, "cost surface"))
    for _, label in ipairs { "-1", "0", "1" } do
      assert.are.equal(2, count(t, label), "label " .. label .. " on both axes")
    end
    assert.are.equal(0, count(t, "-0.5"))
    assert.are.equal(0, count(t, "0.5"))
    assert.are.equal(1, count(t, "s (direction 1)"))
    assert.are.equal(1, count(t, "t (direction 2)"))
  end)

  it("draws a line with its default or given title", function()
    local path = H.tmpname(".svg")
    lunet.diagnose.cost_slice(tiny(), DATA, { direction = "random", seed = 1, steps = 3, file = path })
    local t = texts(H.read(path))
    assert.are.equal(1, count(t, "cost along a direction"))
    lunet.diagnose.cost_slice(tiny(), DATA, { direction = "random", seed = 1, steps = 3, file = path, title = "mine" })
    t = texts(H.read(path))
    os.remove(path)
    assert.are.equal(1, count(t, "mine"))
    assert.are.equal(0, count(t, "cost along a direction"))
  end)
end)
