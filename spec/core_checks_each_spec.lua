-- The low-level API (lunet.core) checks its arguments itself, whatever the
-- Lua layer above checked first; each condition of each check alone.
local lunet = require "lunet"
local nn = require "lunet.nn"
local core = require "lunet.core"
local H = require "spec.helpers"

local refused = H.refused

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
    o:set_eta(1e-37)   -- a float32 network: 1e-300 would be 0 there, and is refused (hostile5_optim_spec)
    assert.are.equal(1e-37, o:eta())
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

  it("a network's forward takes (samples, ...) with samples >= 1 and the right count, each alone", function()
    local net = cnet()
    local msg = "expected a batch of shape (samples, ...) with 2 values per sample, got "
    refused(msg .. "2)", net.forward, net, lunet.ones(2))
    refused(msg .. "0x2)", net.forward, net, lunet.zeros(0, 2))
    refused(msg .. "2x3)", net.forward, net, lunet.ones(2, 3))
    assert.are.same({ 1, 2 }, net:forward(lunet.ones(1, 2)):shape())
    assert.are.same({ 3, 2 }, net:forward(lunet.ones(3, 1, 2)):shape())
  end)

  it("a layer's output is read for layers 0..n only", function()
    local net = cnet()
    local x = lunet.tensor({ { 1, -1 } })
    local y = net:forward(x)
    refused("layer number out of range", net.output, net, -1)
    refused("layer number out of range", net.output, net, 3)
    assert.are.same(x:totable(), net:output(0):totable())
    assert.are.same(y:totable(), net:output(2):totable())
  end)

  it("an input shape has 0 to 3 sizes and a layer shape 0 to 4", function()
    local dense = { { type = "dense", n_in = 1, n_out = 2 } }
    refused("'input' must have 0 to 3 sizes", core.net_new, dense, { input = { 1, 1, 1, 1 } })
    assert.is_userdata(core.net_new(dense, { input = { 1, 1, 1 } }))
    refused("'shape' must have 0 to 4 sizes", core.net_new, { { type = "reshape", shape = { 1, 1, 1, 1, 1 } } },
      { input = { 1 } })
  end)
end)
