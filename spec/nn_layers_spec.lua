local lunet = require "lunet"
local H = require "spec.helpers"
local nn = lunet.nn

local TOL = 1e-6   -- worst relative error allowed between backprop and central differences

local function check(model, x, y, opts)
  local worst, where = lunet.gradcheck(model, x, y, opts)
  assert(worst < TOL, ("gradient check: %.3g at layer %d %s[%d] (analytic %.9g, numeric %.9g)"):format(
    worst, where.layer, where.param, where.element, where.analytic, where.numeric))
  assert(where.checked > 0, "nothing was checked")
  return worst
end

describe("gradient checks (float64 central differences)", function()
  lunet.seed(11)
  local x = lunet.randn(5, 4, "float64")
  local labels = lunet.tensor({ 0, 2, 1, 1, 0 })

  it("Linear on its own, parameters and inputs", function()
    check(nn.Linear(4, 3), x)
  end)

  for _, name in ipairs { "sigmoid", "tanh", "relu", "identity", "softmax" } do
    it(name .. " on its own", function()
      check(nn.activation(name), lunet.randn(5, 4, "float64"))
    end)
  end

  it("dropout in training mode (mask held fixed)", function()
    local m = nn.Sequential { nn.Linear(4, 6), nn.Dropout(0.4), nn.Linear(6, 3) }
    check(m, x)
  end)

  it("reshape between layers", function()
    check(nn.Sequential { nn.Linear(4, 6), nn.Reshape(2, 3), nn.Tanh(), nn.Linear(6, 2) }, x)
  end)

  for _, cost in ipairs { "cross_entropy", "quadratic", "log_likelihood" } do
    it("the " .. cost .. " cost, fused or not, through a two-layer network", function()
      check(lunet.Network({ 4, 5, 3 }, { cost = cost }), x, labels)
      local targets = lunet.rand(5, 3, "float64")
      if cost ~= "log_likelihood" then check(lunet.Network({ 4, 5, 3 }, { cost = cost }), x, targets) end
    end)
  end

  it("the quadratic cost on tanh and relu outputs", function()
    check(lunet.Network({ 4, 6, 3 }, { cost = "quadratic", activation = "tanh" }), x, labels)
    check(lunet.Network({ 4, 6, 3 }, { cost = "quadratic", activation = { "relu", "identity" } }), x, labels)
  end)

  it("L2 and L1 regularisation in the book's forms", function()
    local net = lunet.Network { 4, 5, 3 }
    check(net, x, labels, { lambda = 2.0, n = 10 })
    check(net, x, labels, { lambda = 2.0, n = 10, reg = "l1" })
  end)

  it("deep sigmoid networks", function()
    check(lunet.Network { 4, 6, 6, 6, 3 }, x, labels)
  end)

  it("can fail: a crude step gives a large error", function()
    local worst = lunet.gradcheck(lunet.Network { 4, 5, 3 }, x, labels, { eps = 0.5 })
    assert.is_true(worst > 1e-3)
  end)

  it("works from float32 models, on a float64 copy, leaving the model alone", function()
    local net = lunet.Network { 4, 5, 3 }
    local before = net.weights[1]:clone()
    check(net, x:float(), labels)
    assert.are.equal("float32", net.weights[1]:dtype())
    assert.are.same(before:totable(), net.weights[1]:totable())
  end)
end)

describe("layers", function()
  lunet.seed(12)

  it("Linear computes x W^T + b like a plain loop", function()
    local l = nn.Linear(4, 3)
    local x = lunet.randn(5, 4)
    local w, b = l.weight:totable(), l.bias:totable()
    local want = H.matmul(x:totable(), H.transpose(w))
    for i = 1, 5 do
      for j = 1, 3 do want[i][j] = want[i][j] + b[j] end
    end
    H.near(l:forward(x), want, 1e-5)
    assert.are.same({ 3, 4 }, l.weight:shape())
    assert.are.same({ 3 }, l.bias:shape())
  end)

  it("initialises as asked", function()
    lunet.seed(1)
    local w = nn.Linear(400, 300).weight
    H.near(w:std(), 1 / 20, 0.02)
    assert.is_true(math.abs(w:mean()) < 0.005)
    H.near(nn.Linear(400, 300, { init = "large" }).weight:std(), 1, 0.02)
    H.near(nn.Linear(400, 300, { init = "he" }).weight:std(), math.sqrt(2 / 400), 0.02)
    assert.are.equal(0, nn.Linear(400, 300, { init = "he" }).bias:norm())
    assert.are.equal(0, nn.Linear(4, 3, { init = "zeros" }).weight:norm())
    assert.matches("unknown init 'big'", H.err(nn.Linear, 4, 3, { init = "big" }))
  end)

  it("softmax rows sum to one, even for huge inputs", function()
    local s = nn.Softmax():forward(lunet.tensor({ { 1000, 1001, 1002 }, { -5, 0, 5 } }, "float64"))
    H.near(s:sum(2), { 1, 1 }, 1e-12)
    assert.is_true(s:all_finite())
    H.near(s[1], { 0.09003057317038046, 0.24472847105479767, 0.6652409557748219 }, 1e-7)
  end)

  it("dropout drops in training, scales by 1/(1-p), and is the identity in evaluation", function()
    lunet.seed(5)
    local d = nn.Dropout(0.25)
    local x = lunet.ones(200, 500)
    assert.are.same(x:totable(), d:forward(x):totable())
    d:training()
    local y = d:forward(x)
    local kept = y:gt(0):mean()
    H.near(kept, 0.75, 0.01)
    H.near(y:max(), 1 / 0.75, 1e-6)
    H.near(y:mean(), 1.0, 0.01)   -- the expected output equals the evaluation output
  end)

  it("forward returns a new tensor each time, never a buffer that changes later", function()
    local net = lunet.Network { 4, 3, 2 }
    local a = net:forward(lunet.ones(2, 4))
    local copy = a:clone()
    net:forward(lunet.zeros(2, 4))
    assert.are.same(copy:totable(), a:totable())
  end)

  it("backward adds to the gradients until zero_grad", function()
    local l = nn.Linear(3, 2)
    local x = lunet.randn(4, 3, "float64"):float()
    l:forward(x)
    local dy = lunet.ones(4, 2)
    local dx = l:backward(x, dy)
    H.near(dx, H.matmul(dy:totable(), l.weight:totable()), 1e-5)
    local g1 = l.grad_bias:clone()
    H.near(g1, { 4, 4 }, 1e-6)
    l:backward(x, dy)
    H.near(l.grad_bias, { 8, 8 }, 1e-6)
    l:zero_grad()
    assert.are.equal(0, l.grad_bias:norm())
  end)

  it("Sequential takes over its layers' parameter values", function()
    local l1 = nn.Linear(3, 2)
    l1.weight:fill(0.5)
    local model = nn.Sequential { l1, nn.Sigmoid() }
    assert.are.same({ { 0.5, 0.5, 0.5 }, { 0.5, 0.5, 0.5 } }, l1.weight:totable())
    l1.weight:fill(0)
    l1.bias:fill(0)
    H.near(model:forward(lunet.ones(1, 3)), { { 0.5, 0.5 } }, 1e-7)
    assert.matches("Sequential%(3 %-> 2, 8 parameters%)", tostring(model))
  end)

  it("single samples in, single outputs out", function()
    local net = lunet.Network { 4, 3, 2 }
    local one = net:feedforward(lunet.ones(4))
    assert.are.same({ 2 }, one:shape())
    H.near(one, net:feedforward(lunet.ones(1, 4))[1], 1e-7)
  end)

  it("the Network exposes the book's weights and biases", function()
    local net = lunet.Network { 784, 30, 10 }
    assert.are.equal(2, #net.weights)
    assert.are.same({ 30, 784 }, net.weights[1]:shape())
    assert.are.same({ 10 }, net.biases[2]:shape())
    assert.is_nil(net.weights[3])
    assert.are.same({ 784, 30, 10 }, net.sizes)
    assert.are.equal("cross_entropy", net:cost())
  end)

  it("rejects bad construction with clear errors", function()
    assert.matches("n_in must be a positive integer, got 0", H.err(nn.Linear, 0, 3))
    assert.matches("n_out must be a positive integer, got 2.5", H.err(nn.Linear, 3, 2.5))
    assert.matches("p must be in %[0, 1%)", H.err(nn.Dropout, 1))
    assert.matches("non%-empty list", H.err(nn.Sequential, {}))
    assert.matches("element 2 is not a layer", H.err(nn.Sequential, { nn.Linear(2, 2), 7 }))
    assert.matches("takes 3 inputs but receives 2", H.err(nn.Sequential, { nn.Linear(4, 2), nn.Linear(3, 1) }))
    assert.matches("size 2 must be a positive integer", H.err(lunet.Network, { 784, 0, 10 }))
    assert.matches("unknown cost 'hinge'", H.err(lunet.Network, { 4, 2 }, { cost = "hinge" }))
    assert.matches("the cross%-entropy cost needs a sigmoid output layer, not relu",
      H.err(lunet.Network, { 4, 2 }, { activation = { "relu" } }))
    assert.matches("the cross%-entropy cost needs a sigmoid output layer, not tanh",
      H.err(lunet.Network, { 4, 3, 2 }, { activation = "tanh", output = "tanh" }))
    assert.matches("unknown activation 'swish'", H.err(lunet.Network, { 4, 2 }, { activation = "swish" }))
  end)

  it("rejects bad inputs with clear errors", function()
    local net = lunet.Network { 4, 3, 2 }
    assert.matches("4 values per sample, got 2x5", H.err(function() return net:forward(lunet.ones(2, 5)) end))
    local bad = lunet.ones(2, 4)
    bad[{ 1, 2 }] = 0 / 0
    assert.matches("NaN", H.err(function() return net:forward(bad) end))
    assert.matches("expected a tensor of inputs, got table", H.err(function() return net:forward({ 1, 2 }) end))
    local l = nn.Linear(2, 2)
    assert.matches("forward first", H.err(function() return l:backward(lunet.ones(1, 2), lunet.ones(1, 2)) end))
  end)
end)
