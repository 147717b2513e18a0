-- The Hessian-vector product of a float32 network (convolution, max
-- pooling, softmax: the float32 R-operator paths) equals the float64
-- product of the same network to float32 precision.
local lunet = require "lunet"
local nn = require "lunet.nn"
local core = require "lunet.core"

describe("float32 Hessian-vector products", function()
  it("match float64 through conv, max pooling and softmax", function()
    lunet.seed(3)
    local m = nn.Sequential({ nn.Conv2d(1, 2, 3), nn.MaxPool(2), nn.Reshape(8), nn.Linear(8, 3), nn.Softmax() },
      { input = { 1, 6, 6 }, cost = "log_likelihood", dtype = "float32" })
    local m64 = m:clone("float64")
    local x, y = lunet.rand(4, 36), lunet.tensor({ 0, 1, 2, 1 })
    local v = lunet.randn(m:net():parameters():numel())
    local a = core.hvp(m:net(), { x = x, y = y }, v)
    local b = core.hvp(m64:net(), { x = x:to("float64"), y = y }, v:to("float64"))
    assert.are.equal("float32", a:dtype())
    assert.is_true(b:abs():max() > 0.1, "a product worth comparing")
    assert.is_true((a:to("float64") - b):abs():max() < 1e-5, "float32 against float64")
  end)
end)
