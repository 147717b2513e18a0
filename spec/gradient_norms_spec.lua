local lunet = require "lunet"
local H = require "spec.helpers"

describe("gradient norms (the speed of learning)", function()
  it("equal the norms of dC/db and dC/dW from float64 central differences", function()
    lunet.seed(41)
    local net = lunet.Network({ 5, 4, 4, 3 }, { dtype = "float64" })
    local data = { x = lunet.randn(20, 5, "float64"), y = lunet.tensor({ 0, 1, 2, 1, 0, 2, 2, 1, 0, 0,
      1, 1, 2, 0, 2, 1, 0, 2, 1, 0 }) }
    local bias, weight = net:gradient_norms(data)
    assert.are.equal(3, #bias)
    local h = 1e-6
    local function numeric_norm(param)
      local flat = param:view(param:numel())
      local sum = 0
      for i = 1, flat:numel() do
        local saved = flat[i]
        flat[i] = saved + h
        local up = net:total_cost(data)
        flat[i] = saved - h
        local down = net:total_cost(data)
        flat[i] = saved
        sum = sum + ((up - down) / (2 * h)) ^ 2
      end
      return math.sqrt(sum)
    end
    for l = 1, 3 do
      H.near(bias[l], numeric_norm(net.biases[l]), 1e-6, "bias norm of layer " .. l)
      H.near(weight[l], numeric_norm(net.weights[l]), 1e-6, "weight norm of layer " .. l)
    end
  end)

  it("fall layer by layer towards the input in a deep sigmoid network at initialisation", function()
    lunet.seed(42)
    local data = { x = lunet.rand(200, 50), y = lunet.zeros(200) }
    local bias = lunet.Network { 50, 20, 20, 20, 20, 10 }:gradient_norms(data)
    for l = 1, 4 do assert.is_true(bias[l] < bias[l + 1], "layer " .. l) end
  end)

  it("need a cost and data that fit", function()
    assert.matches("has no cost", H.err(lunet.train.gradient_norms, lunet.nn.Sequential { lunet.nn.Linear(2, 2) },
      { x = lunet.zeros(3, 2), y = lunet.zeros(3) }))
    assert.matches("label 5", H.err(function()
      lunet.Network { 2, 2 }:gradient_norms({ x = lunet.zeros(3, 2), y = lunet.tensor { 0, 5, 1 } })
    end))
  end)
end)
