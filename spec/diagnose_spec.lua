-- Diagnostics (lunet.diagnose, the new tensor operations, saturation per
-- epoch) against values computed by hand on tiny float64 networks.
local lunet = require "lunet"
local H = require "spec.helpers"

local function sigmoid(z) return 1 / (1 + math.exp(-z)) end

-- A 2-2-1 sigmoid network with weights set by hand.
local function tiny()
  local net = lunet.Network({ 2, 2, 1 }, { dtype = "float64" })
  net.weights[1]:copy(lunet.tensor({ { 1, -2 }, { 0.5, 3 } }, "float64"))
  net.biases[1]:copy(lunet.tensor({ 0.1, -0.2 }, "float64"))
  net.weights[2]:copy(lunet.tensor({ { 2, -1 } }, "float64"))
  net.biases[2]:copy(lunet.tensor({ 0.3 }, "float64"))
  return net
end

-- z and a of both layers for input (x1, x2), by hand.
local function by_hand(x1, x2)
  local z1 = { 1 * x1 - 2 * x2 + 0.1, 0.5 * x1 + 3 * x2 - 0.2 }
  local a1 = { sigmoid(z1[1]), sigmoid(z1[2]) }
  local z2 = 2 * a1[1] - a1[2] + 0.3
  return z1, a1, z2, sigmoid(z2)
end

describe("tensor operations for the book's formulas", function()
  it("sigmoid_prime, logit, softmax and log_softmax match their definitions (float64)", function()
    local z = lunet.tensor({ { -3, 0, 0.5 }, { 2, 700, -700 } }, "float64")
    local sp, sm, lsm = z:sigmoid_prime(), z:softmax(), z:log_softmax()
    for i = 1, 2 do
      local row = { z[i][1], z[i][2], z[i][3] }
      local top = math.max(row[1], row[2], row[3])
      local sum = 0
      for j = 1, 3 do sum = sum + math.exp(row[j] - top) end
      for j = 1, 3 do
        local s = sigmoid(row[j])
        H.near(sp[i][j], s * (1 - s), 1e-15, "sigmoid_prime")
        H.near(sm[i][j], math.exp(row[j] - top) / sum, 1e-15, "softmax")
        H.near(lsm[i][j], row[j] - top - math.log(sum), 1e-12, "log_softmax")
      end
    end
    assert.is_true(lsm[2][3] > -1e4 and lsm[2][3] < -1399, "log_softmax stays finite where softmax underflows")
    local p = lunet.tensor({ 0.1, 0.5, 0.9 }, "float64")
    local lg = p:logit()
    for i = 1, 3 do H.near(lg[i], math.log(p[i] / (1 - p[i])), 1e-15, "logit") end
    H.near(p:logit():sigmoid()[1], 0.1, 1e-15, "sigmoid undoes logit")
    -- softmax of a strided view works along its last dimension too
    local t = z:t():softmax()
    H.near(t[1][1], math.exp(-3 - 2) / (math.exp(-3 - 2) + 1), 1e-15, "transposed softmax")
  end)
end)

describe("lunet.diagnose", function()
  it("trace gives z and a of every layer", function()
    local net = tiny()
    local tr = net:trace(lunet.tensor({ { 0.3, -0.7 }, { 1, 2 } }, "float64"))
    assert.are.equal(2, #tr)
    for row, x in ipairs { { 0.3, -0.7 }, { 1, 2 } } do
      local z1, a1, z2, a2 = by_hand(x[1], x[2])
      for j = 1, 2 do
        H.near(tr[1].z[row][j], z1[j], 1e-15, "z1")
        H.near(tr[1].a[row][j], a1[j], 1e-15, "a1")
      end
      H.near(tr[2].z[row][1], z2, 1e-15, "z2")
      H.near(tr[2].a[row][1], a2, 1e-15, "a2")
    end
    local one = net:trace(lunet.tensor({ 0.3, -0.7 }, "float64"))
    assert.are.same({ 2 }, one[1].z:shape())
  end)

  it("saturation counts outputs near the limits and dead ReLUs", function()
    local net = tiny()
    -- inputs that push unit 2 of layer 1 far out (z = 0.5 x1 + 3 x2 - 0.2)
    local xs = { { 0, 5 }, { 0, -5 }, { 0, 0 }, { 0.2, 0.1 } }
    local data = { x = lunet.tensor(xs, "float64"), y = lunet.tensor({ { 1 }, { 0 }, { 1 }, { 0 } }, "float64") }
    local eps = 0.01
    local want1, want2 = 0, 0
    for _, x in ipairs(xs) do
      local _, a1, _, a2 = by_hand(x[1], x[2])
      for j = 1, 2 do want1 = want1 + ((a1[j] < eps or a1[j] > 1 - eps) and 1 or 0) end
      want2 = want2 + ((a2 < eps or a2 > 1 - eps) and 1 or 0)
    end
    local frac, layers = lunet.diagnose.saturation(net, data, { eps = eps })
    assert.are.same({ 2, 4 }, layers)
    H.near(frac[1], want1 / 8, 1e-15, "layer 1")
    H.near(frac[2], want2 / 4, 1e-15, "layer 2")
    assert.is_true(want1 > 0)
    -- ReLU: a unit is dead when it gives 0 for every sample
    local relu = lunet.Network({ 2, 3, 1 }, { dtype = "float64", activation = { "relu", "sigmoid" } })
    relu.weights[1]:copy(lunet.tensor({ { 1, 0 }, { -1, -1 }, { 0, 1 } }, "float64"))
    relu.biases[1]:copy(lunet.tensor({ 0, -0.5, -10 }, "float64"))
    local pos = { x = lunet.tensor({ { 1, 2 }, { 0.5, 0.1 } }, "float64"),
      y = lunet.tensor({ { 1 }, { 0 } }, "float64") }
    frac = lunet.diagnose.saturation(relu, pos)
    H.near(frac[1], 2 / 3, 1e-15, "units 2 and 3 are dead, unit 1 is not")
  end)

  it("train.sgd records saturation per epoch, leaving the training unchanged", function()
    local function run(extra)
      lunet.seed(5)
      local net = lunet.Network({ 3, 4, 2 }, { dtype = "float64" })
      local data = { x = lunet.randn(30, 3, "float64"), y = lunet.tensor((function()
        local t = {}
        for i = 1, 30 do t[i] = i % 2 end
        return t
      end)()) }
      local o = { verbose = false }
      for k, v in pairs(extra) do o[k] = v end
      local _, _, _, _, h = net:SGD(data, 3, 5, 1.0, o)
      return net, h, data
    end
    local plain = run {}
    local net, h, data = run { saturation = true }
    assert.are.equal(0, (plain.weights[1] - net.weights[1]):abs():max())
    assert.are.same({ 0, 1, 2, 3 }, h.saturation.epoch)
    assert.are.same({ 2, 4 }, h.saturation.layer)
    local now = lunet.diagnose.saturation(net, data)
    H.near(h.saturation.fraction[1][4], now[1], 0, "the last epoch's record is the network's saturation")
  end)

  it("bias_gradients gives dC/db of the hidden layers' first neurons", function()
    local net = tiny()
    local xs, ys = { { 0.3, -0.7 }, { 1, 2 }, { -0.5, 0.4 } }, { 1, 0, 1 }
    local data = { x = lunet.tensor(xs, "float64"), y = lunet.tensor({ { 1 }, { 0 }, { 1 } }, "float64") }
    -- cross-entropy with a sigmoid output: delta2 = a2 - y, delta1 = w2 delta2 * s'(z1)
    local want = { 0, 0 }
    for i, x in ipairs(xs) do
      local z1, _, _, a2 = by_hand(x[1], x[2])
      local d2 = a2 - ys[i]
      local w2 = { 2, -1 }
      for j = 1, 2 do
        local s = sigmoid(z1[j])
        want[j] = want[j] + w2[j] * d2 * s * (1 - s) / #xs
      end
    end
    local path = H.tmpname(".svg")
    local bars = lunet.diagnose.bias_gradients(net, data, { neurons = 1, file = path })
    assert.are.equal(1, #bars)   -- one hidden layer
    assert.are.equal(1, #bars[1])
    H.near(bars[1][1], want[1], 1e-14, "dC/db of neuron 1")
    bars = lunet.diagnose.bias_gradients(net, data)
    H.near(bars[1][2], want[2], 1e-14, "dC/db of neuron 2")
    assert.matches("^<svg", H.read(path))
    os.remove(path)
  end)

  it("cost_slice evaluates the cost along a direction and between two networks, and puts w back", function()
    local a, b = tiny(), tiny()
    b.weights[1]:copy(lunet.tensor({ { 0, 1 }, { 1, 0 } }, "float64"))
    b.biases[2]:copy(lunet.tensor({ -1 }, "float64"))
    local data = { x = lunet.tensor({ { 0.3, -0.7 }, { 1, 2 } }, "float64"),
      y = lunet.tensor({ { 1 }, { 0 } }, "float64") }
    local before = a:net():parameters():clone()
    local line = lunet.diagnose.cost_slice(a, data, { direction = b, range = { 0, 1 }, steps = 3 })
    H.near(line.cost[1], a:total_cost(data), 1e-15, "t = 0 is the first network")
    H.near(line.cost[3], b:total_cost(data), 1e-15, "t = 1 is the second")
    -- the midpoint, by hand: the network with the averaged parameters
    local mid = tiny()
    mid:net():parameters():copy(before:add(b:net():parameters()):div(2))
    H.near(line.cost[2], mid:total_cost(data), 1e-15, "t = 1/2")
    assert.are.equal(0, (a:net():parameters() - before):abs():max())
    -- filter-normalised: each weight row of the direction has the norm of the weights' row, biases 0
    lunet.seed(3)
    local surface = lunet.diagnose.cost_slice(a, data, { direction = "filter", direction2 = "random", steps = 3 })
    H.near(surface.cost[2][2], a:total_cost(data), 1e-15, "the centre of the surface is w")
    assert.are.equal(3, #surface.cost)
    assert.are.equal(0, (a:net():parameters() - before):abs():max())
  end)
end)
