-- Hessian-vector products with a v that aliases the network's own blocks
-- or is strided, fifth round of hostile input.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn
local H = require "spec.helpers"

local function problem(dtype)
  lunet.seed(8)
  local m = nn.Sequential({ nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Softmax() },
    { input = { 3 }, cost = "log_likelihood", dtype = dtype })
  return m, { x = lunet.randn(6, 3, dtype), y = lunet.tensor({ 0, 1, 1, 0, 1, 0 }) }
end

describe("a Hessian-vector product whose v is the network's gradient block", function()
  for _, dtype in ipairs { "float32", "float64" } do
    it("is H g, as for a copy of g (each chunk's backward pass had overwritten v): " .. dtype, function()
      local m, data = problem(dtype)
      local f, w = lunet.optim.objective(m, data)
      f(w)                                   -- leaves the gradient in the network
      local g = m:net():gradients()
      local copy = g:clone()
      local hg = lunet.optim.hvp(m, data, g)
      local want = lunet.optim.hvp(m, data, copy)
      assert.are.equal(0, H.maxdiff(want:totable(), hg:totable()))
      assert.are.equal(dtype, hg:dtype())
    end)
  end

  it("is refused by the core, which reads v in place", function()
    local m, data = problem("float64")
    local net = m:net()
    assert.matches("v must not share storage with the network's gradients",
      H.err(core.hvp, net, data, net:gradients()))
    assert.matches("v must not share storage with the network's gradients",
      H.err(core.hvp, net, data, net:gradients():narrow(1, 1, net:parameters():numel())))
  end)
end)

describe("a strided v of the network's own dtype", function()
  it("is multiplied as its contiguous copy (it had been refused; another dtype was copied)", function()
    for _, dtype in ipairs { "float32", "float64" } do
      local m, data = problem(dtype)
      local n = m:net():parameters():numel()
      local v = lunet.randn(n, 2, dtype):select(2, 1)
      assert.is_false(v:is_contiguous())
      local hv = lunet.optim.hvp(m, data, v)
      assert.are.equal(0, H.maxdiff(lunet.optim.hvp(m, data, v:clone()):totable(), hv:totable()))
    end
  end)
end)
