-- The step activation, perceptron networks, NAND circuits and the
-- perceptron learning rule, against values worked out by hand or in plain Lua.
local lunet = require "lunet"
local H = require "spec.helpers"
local P = lunet.perceptron

local function column(t) return H.flat(t:totable()) end

describe("the step activation", function()
  it("is 1 where z > 0 and 0 where z <= 0, in both dtypes", function()
    for _, dtype in ipairs { "float64", "float32" } do
      local step = lunet.nn.Step()
      local z = lunet.tensor({ { -2, -1e-30, 0, 1e-30, 3 } }, dtype)
      assert.are.same({ 0, 0, 0, 1, 1 }, column(step:forward(z)))
    end
  end)

  it("is a Network activation, by name, and needs the quadratic cost", function()
    local net = lunet.Network({ 2, 3, 1 }, { activation = "step", cost = "quadratic" })
    assert.matches("Step", tostring(net))
    -- the output follows the cost unless named: a step output needs the quadratic cost
    assert.matches("cross%-entropy cost needs a sigmoid output layer, not step",
      H.err(lunet.Network, { 2, 1 }, { activation = "step", output = "step" }))
    assert.matches("Sigmoid", tostring(lunet.Network({ 2, 3, 1 }, { activation = "step" })))
    assert.matches("step, softmax", H.err(lunet.nn.activation, "steps"))
  end)

  it("passes zero gradients backward (its derivative almost everywhere)", function()
    local net = lunet.nn.Sequential({ lunet.nn.Linear(2, 2), lunet.nn.Step() }, { dtype = "float64" })
    local x = lunet.tensor({ { 0.3, -0.2 } }, "float64")
    net:forward(x)
    net:zero_grad()
    local dx = net:backward(x, lunet.tensor({ { 1, -1 } }, "float64"))
    assert.are.same({ 0, 0 }, column(dx))
    assert.are.same({ 0, 0, 0, 0 }, column(net:layers()[1].grad_weight))
  end)

  it("is refused by every gradient-based entry point, before anything changes", function()
    lunet.seed(5)
    local net = P.network { 2, 2, 1 }
    local data = { x = lunet.tensor({ { 0, 1 }, { 1, 0 } }, "float64"), y = lunet.tensor({ { 1 }, { 0 } }, "float64") }
    local before = net.weights[1]:clone()
    lunet.seed(9)
    local msg = H.err(net.SGD, net, data, 1, 1, 0.1, { verbose = false, progress = false })
    assert.matches("layer 2 is a step activation: its derivative is 0", msg)
    assert.matches("lunet.perceptron.train", msg)
    local after_refusal = lunet.randn(3, "float64")
    lunet.seed(9)
    H.near(lunet.randn(3, "float64"), after_refusal, 0, "the random stream did not move")
    H.near(net.weights[1], before, 0, "weights")
    assert.matches("step activation", H.err(net.gradient_norms, net, data))
    local f, w0 = lunet.optim.objective(net, data)
    assert.matches("step activation", H.err(f, w0))
    assert.matches("step activation", H.err(lunet.optim.hvp, net, data, w0))
    assert.is_true(net:total_cost(data) >= 0)   -- evaluation needs no gradient
  end)

  it("survives a save and load", function()
    local path = H.tmpname(".lunet")
    local net = P.circuit(2, P.HALF_ADDER, { 7, 6 })
    net:save(path)
    local back = lunet.load(path)
    os.remove(path)
    local x = P.truth_table(2)
    H.near(back:feedforward(x), net:feedforward(x), 0)
  end)
end)

describe("perceptron circuits", function()
  it("the NAND perceptron outputs 0 only for (1, 1)", function()
    assert.are.same({ 1, 1, 1, 0 }, column(P.nand():feedforward(P.truth_table(2))))
  end)

  it("truth tables count in binary, most significant bit first", function()
    assert.are.same({ { 0, 0, 0 }, { 0, 0, 1 }, { 0, 1, 0 }, { 0, 1, 1 } },
      { table.unpack(P.truth_table(3):totable(), 1, 4) })
  end)

  it("the book's adder of two bits gives the sum on every input", function()
    local net = P.circuit(2, P.HALF_ADDER, { 7, 6 })   -- carry, sum
    local x, y = P.truth_table(2):totable(), net:feedforward(P.truth_table(2)):totable()
    for r = 1, 4 do assert.are.equal(x[r][1] + x[r][2], 2 * y[r][1] + y[r][2]) end
  end)

  it("the adder of two 2-bit numbers gives the right sum on all 16 inputs", function()
    local net, layers = P.circuit(4, P.TWO_BIT_ADDER, { 18, 17, 8 })
    assert.are.equal(#layers, #net.sizes - 1)
    local x, y = P.truth_table(4):totable(), net:feedforward(P.truth_table(4)):totable()
    for r = 1, 16 do
      local a, b = 2 * x[r][1] + x[r][2], 2 * x[r][3] + x[r][4]
      assert.are.equal(a + b, 4 * y[r][1] + 2 * y[r][2] + y[r][3], ("%d + %d"):format(a, b))
    end
  end)

  it("a doubled edge is the book's weight -4 and copies carry values forward", function()
    local net, layers = P.circuit(2, P.HALF_ADDER, { 7, 6 })
    assert.are.same({ { 1, 2, 3 }, { 4, 5, 7 }, { 7, 6 } }, layers)
    assert.are.same({ 0, 0, -4 }, column(net.weights[2][3]))   -- node 7 = NAND(3, 3)
    assert.are.same({ 1, 0 }, column(net.weights[1][1]))         -- copy of x1
    assert.are.equal(-0.5, net.biases[1][1])
  end)

  it("refuses gates that read later nodes and bad outputs", function()
    assert.matches("gate 1 %(node 3%) reads node 3", H.err(P.circuit, 2, { { 1, 3 } }, { 3 }))
    assert.matches("output 1 is node 9", H.err(P.circuit, 2, { { 1, 2 } }, { 9 }))
    assert.matches("unknown option 'dype'", H.err(P.circuit, 2, { { 1, 2 } }, { 3 }, { dype = "float32" }))
  end)

  it("parity: the one-layer construction and the XOR tree are right on every input", function()
    for n = 1, 8 do
      local data = P.parity_data(n)
      local y = column(data.y)
      assert.are.same(y, column(P.parity_network(n):feedforward(data.x)))
      if n >= 2 then
        local gates, out = P.xor_tree(n)
        assert.are.equal(4 * (n - 1), #gates)
        assert.are.same(y, column(P.circuit(n, gates, { out }):feedforward(data.x)))
      end
    end
    assert.are.same({ 0, 1, 1, 0, 1, 0, 0, 1 }, column(P.parity_data(3).y))
  end)
end)

-- The rule in plain Lua, for comparison.
local function reference_epoch(x, t, w, b, eta)
  local wrong = 0
  for i = 1, #x do
    for j = 1, #w do
      local z = b[j]
      for c = 1, #x[i] do z = z + w[j][c] * x[i][c] end
      local err = t[i][j] - (z > 0 and 1 or 0)
      if err ~= 0 then
        wrong = wrong + 1
        for c = 1, #x[i] do w[j][c] = w[j][c] + eta * err * x[i][c] end
        b[j] = b[j] + eta * err
      end
    end
  end
  return wrong
end

describe("the perceptron rule", function()
  it("matches the rule written in plain Lua, epoch by epoch, in float64", function()
    lunet.seed(3)
    local net = P.network { 3, 2 }
    local x = lunet.randn({ 30, 3 }, { dtype = "float64" })
    local t = lunet.rand({ 30, 2 }, { dtype = "float64" }):gt(0.5)
    local w, b = net.weights[1]:totable(), column(net.biases[1])
    local xs, ts = x:totable(), t:totable()
    for _ = 1, 5 do
      local expect = reference_epoch(xs, ts, w, b, 0.5)
      local r = P.train(net, { x = x, y = t }, { eta = 0.5, epochs = 1 })
      assert.are.equal(expect, r.mistakes[1])
      H.near(net.weights[1], w, 1e-12, "w")
      H.near(net.biases[1], b, 1e-12, "b")
    end
  end)

  it("runs in float32 too: small integers give the same weights as plain Lua", function()
    local net = P.network({ 3, 1 }, { dtype = "float32", init = "zeros" })
    local x = lunet.tensor({ { 1, 2, -1 }, { -2, 1, 3 }, { 0, 1, 1 }, { 3, -1, 2 } })
    local t = { { 1 }, { 0 }, { 0 }, { 1 } }
    local w, b = { { 0, 0, 0 } }, { 0 }
    local xs = x:totable()
    for _ = 1, 4 do
      local expect = reference_epoch(xs, t, w, b, 1)
      assert.are.equal(expect, P.train(net, { x = x, y = lunet.tensor({ 1, 0, 0, 1 }) }, { epochs = 1 }).mistakes[1])
      H.near(net.weights[1], w, 0, "w")
      H.near(net.biases[1], b, 0, "b")
    end
    assert.are.equal("float32", net.weights[1]:dtype())
  end)

  it("converges on a linearly separable set within Novikoff's bound", function()
    -- points labelled by the side of u . (x, 1) > 0 with margin gamma
    lunet.seed(11)
    local u = { 0.6, -0.8, 0.1 }   -- (w, b), |u| about 1.005
    local norm = math.sqrt(u[1] ^ 2 + u[2] ^ 2 + u[3] ^ 2)
    local xs, ys, r2 = {}, {}, 0
    for _, p in ipairs(lunet.rand({ 300, 2 }, { -1, 1, dtype = "float64" }):totable()) do
      local d = (u[1] * p[1] + u[2] * p[2] + u[3]) / norm
      if math.abs(d) >= 0.1 then
        xs[#xs + 1], ys[#ys + 1] = p, d > 0 and 1 or 0
        r2 = math.max(r2, p[1] ^ 2 + p[2] ^ 2 + 1)
      end
    end
    local data = { x = lunet.tensor(xs, "float64"), y = lunet.tensor(ys, "float64") }
    local net = P.network({ 2, 1 }, { init = "zeros" })
    local r = P.train(net, data, { epochs = 1000 })
    assert.is_true(r.converged)
    local total = 0
    for _, m in ipairs(r.mistakes) do total = total + m end
    assert.is_true(total <= r2 / 0.1 ^ 2, ("%d mistakes, bound %g"):format(total, r2 / 0.01))
    assert.are.same(ys, column(net:feedforward(data.x)))
    assert.are.equal(0, r.mistakes[#r.mistakes])
  end)

  it("never converges on XOR: every epoch has a mistake", function()
    local net = P.network({ 2, 1 }, { init = "zeros" })
    local r = P.train(net, { x = P.truth_table(2), y = lunet.tensor({ 0, 1, 1, 0 }, "float64") }, { epochs = 500 })
    assert.is_false(r.converged)
    assert.are.equal(500, #r.mistakes)
    for _, m in ipairs(r.mistakes) do assert.is_true(m >= 1) end
  end)

  it("learns one neuron per class from labels", function()
    local x = lunet.tensor({ { 0, 0 }, { 1, 0 }, { 0, 1 } }, "float64")
    local net = P.network({ 2, 3 }, { init = "zeros" })
    local r = P.train(net, { x = x, y = lunet.tensor({ 0, 1, 2 }) }, { epochs = 100 })
    assert.is_true(r.converged)
    H.near(net:feedforward(x), { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, 0)
  end)

  it("refuses bad targets, eta, shapes and networks, changing nothing", function()
    local net = P.network({ 2, 1 }, { init = "zeros" })
    local x = P.truth_table(2)
    assert.matches("targets must be 0 or 1", H.err(P.train, net, { x = x, y = lunet.tensor({ 0, 2, 1, 0 }) }))
    assert.matches("eta must be", H.err(P.train, net, { x = x, y = lunet.tensor({ 0, 1, 1, 0 }) }, { eta = 0 }))
    assert.matches("unknown option 'epoch'", H.err(P.train, net, { x = x, y = lunet.tensor({ 0, 1, 1, 0 }) },
      { epoch = 3 }))
    local bad = x:clone()
    bad[{ 1, 1 }] = 0 / 0
    assert.matches("x holds 1 NaN", H.err(P.train, net, { x = bad, y = lunet.tensor({ 0, 1, 1, 0 }) }))
    assert.matches("wrong shape", H.err(P.train, net, { x = x, y = lunet.tensor({ 0, 1 }) }))
    assert.matches("one layer of perceptrons", H.err(P.train, P.network { 2, 2, 1 }, { x = x, y = x }))
    assert.are.same({ 0, 0 }, column(net.weights[1]))
    local epoch = require("lunet.core").perceptron_epoch
    assert.matches("one dtype", H.err(epoch, x, x:float(), lunet.zeros(2, 2, "float64"), lunet.zeros(2, "float64"), 1))
    assert.matches("must not share memory", H.err(epoch, x, x,
      x:narrow(1, 1, 2), lunet.zeros(2, "float64"), 1))
  end)
end)
