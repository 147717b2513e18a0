-- The low-level API (lunet.core) checks its arguments itself, whatever the
-- Lua layer above checked first; each condition of each check alone.
local lunet = require "lunet"
local nn = require "lunet.nn"
local core = require "lunet.core"
local H = require "spec.helpers"

local function refused(pattern, f, ...)
  local err = H.err(f, ...)
  assert.truthy(err:find(pattern, 1, true), ("expected %q in: %s"):format(pattern, err))
end

local function cnet()
  lunet.seed(4)
  return nn.Sequential({ nn.Linear(2, 2), nn.Sigmoid() }, { cost = "quadratic" }):net()
end

local function set()
  lunet.seed(5)
  return { x = lunet.randn(4, 2), y = lunet.rand(4, 2) }
end

describe("lunet.core argument checks, each condition alone", function()
  it("evaluate, objective and hvp take a finite lambda >= 0", function()
    local net, d = cnet(), set()
    local w = lunet.zeros(6)
    for _, v in ipairs { -1e-9, math.huge, 0 / 0 } do
      refused("lambda must be a finite number >= 0", core.evaluate, net, d, { lambda = v })
      refused("lambda must be a finite number >= 0", core.objective, net, d, w, { lambda = v })
      refused("lambda must be a finite number >= 0", core.hvp, net, d, w, { lambda = v })
    end
    assert.is_number((core.evaluate(net, d, { lambda = 0 })))
    assert.is_number((core.objective(net, d, w, { lambda = 0 })))
    assert.are.equal(6, core.hvp(net, d, w, { lambda = 0 }):numel())
  end)

  it("an optimizer's eta is set only to a finite number > 0", function()
    local net = cnet()
    local o = core.optimizer(net, { eta = 0.1 })
    for _, v in ipairs { 0, -1, math.huge, 0 / 0 } do
      refused("eta must be a finite number > 0", o.set_eta, o, v)
    end
    o:set_eta(1e-300)
    assert.are.equal(1e-300, o:eta())
  end)

  it("gather takes positions 1..n and refuses 0 and n + 1", function()
    local d = set()
    refused("position 0 out of range 1..4", core.gather, d, { 0 })
    refused("position 5 out of range 1..4", core.gather, d, { 1, 5 })
    assert.are.same(d.x:totable()[4], core.gather(d, { 4 }):totable()[1])
    assert.are.same(d.x:totable()[1], core.gather(d, { 1 }):totable()[1])
  end)

  it("an expansion needs 1 to 64 transforms and a positive h and w, each alone", function()
    local x = lunet.rand(2, 4)
    local function expanded(h, w, ntr)
      local tr = {}
      for i = 1, ntr do tr[i] = { kind = "identity" } end
      return { x = x, y = lunet.tensor({ 0, 1 }), n = 2 * math.max(ntr, 1), expand = { h = h, w = w, transforms = tr } }
    end
    refused("expansion needs 1 to 64 transforms", core.gather, expanded(2, 2, 0), { 1 })
    refused("expansion needs 1 to 64 transforms", core.gather, expanded(2, 2, 65), { 1 })
    refused("expansion needs the image size h and w", core.gather, expanded(0, 2, 1), { 1 })
    refused("expansion needs the image size h and w", core.gather, expanded(2, 0, 1), { 1 })
    assert.are.same(x:totable()[2], core.gather(expanded(2, 2, 64), { 128 }):totable()[1])
  end)
end)
