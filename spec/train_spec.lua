local lunet = require "lunet"
local H = require "spec.helpers"

local QUIET = { verbose = false, progress = false }

local function opts(t)
  for k, v in pairs(QUIET) do t[k] = v end
  return t
end

-- A small float64 problem: 6 samples of 3 values, 2 classes.
local function problem()
  lunet.seed(21)
  local data = { x = lunet.randn(6, 3, "float64"), y = lunet.tensor({ 0, 1, 1, 0, 1, 0 }) }
  local net = lunet.Network({ 3, 4, 2 }, { dtype = "float64" })
  return net, data
end

-- The mean gradient of the cross-entropy cost over all of data, through the
-- layer API (dC/da = (a - y) / (a (1 - a)), chained back by backward).
local function mean_grad(net, data)
  local ref = net:clone()
  local a = ref:forward(data.x)
  local t = lunet.zeros(a:shape(), "float64")
  for i = 1, data.y:size(1) do t[{ i, data.y[i] + 1 }] = 1 end
  local m = data.y:size(1)
  local dy = (a - t) / (a * (1 - a)) / m
  ref:zero_grad()
  ref:backward(data.x, dy)
  local _, g = ref:flat_parameters()
  return g:clone()
end

-- 1 where a parameter is a weight (regularised), 0 for biases.
local function weight_mask(net)
  local p = net:flat_parameters()
  local mask = lunet.zeros(p:numel(), "float64")
  local at = 1
  for _, prm in ipairs(net:parameters()) do
    local n = prm.value:numel()
    if prm.name == "weight" then mask:narrow(1, at, n):fill(1) end
    at = at + n
  end
  return mask
end

describe("SGD updates, as the book and the lecture write them", function()
  it("plain SGD with L2: w <- (1 - eta lambda / n) w - eta g; biases not decayed", function()
    local net, data = problem()
    local w0 = net:flat_parameters():clone()
    local g = mean_grad(net, data)
    local eta, lambda, n = 0.5, 0.3, 6
    lunet.train.sgd(net, data, opts { epochs = 1, batch = 6, eta = eta, lambda = lambda })
    local mask = weight_mask(net)
    local want = w0 * (1 - mask * (eta * lambda / n)) - g * eta
    H.near(net:flat_parameters(), want, 1e-12)
    local _, grads = net:flat_parameters()
    H.near(grads, g, 1e-12)     -- gradients stay readable after the step
  end)

  it("L1: w <- w - (eta lambda / n) sgn(w) - eta g", function()
    local net, data = problem()
    local w0 = net:flat_parameters():clone()
    local g = mean_grad(net, data)
    lunet.train.sgd(net, data, opts { epochs = 1, batch = 6, eta = 0.5, lambda = 0.3, reg = "l1" })
    local want = w0 - w0:sign() * weight_mask(net) * (0.5 * 0.3 / 6) - g * 0.5
    H.near(net:flat_parameters(), want, 1e-12)
  end)

  it("momentum: v <- mu v - eta g; w <- w + v (two steps)", function()
    local net, data = problem()
    local ref = net:clone()
    local eta, mu = 0.4, 0.9
    local w = ref:flat_parameters():clone()
    local v = lunet.zeros(w:numel(), "float64")
    for _ = 1, 2 do
      ref:flat_parameters():copy(w)
      v = v * mu - mean_grad(ref, data) * eta
      w = w + v
    end
    lunet.train.sgd(net, data, opts { epochs = 2, batch = 6, eta = eta, momentum = mu })
    H.near(net:flat_parameters(), w, 1e-12)
  end)

  it("Nesterov: v' <- mu v - eta g(w); w <- w - mu v + (1 + mu) v' (three steps)", function()
    local net, data = problem()
    local ref = net:clone()
    local eta, mu = 0.4, 0.9
    local w = ref:flat_parameters():clone()
    local v = lunet.zeros(w:numel(), "float64")
    for _ = 1, 3 do
      ref:flat_parameters():copy(w)
      local v2 = v * mu - mean_grad(ref, data) * eta
      w = w - v * mu + v2 * (1 + mu)
      v = v2
    end
    lunet.train.sgd(net, data, opts { epochs = 3, batch = 6, eta = eta, momentum = mu, nesterov = true })
    H.near(net:flat_parameters(), w, 1e-12)
  end)
end)

describe("training", function()
  it("the same seed gives the same network, bit for bit", function()
    local function run()
      lunet.seed(4)
      local data = { x = lunet.randn(200, 8), y = lunet.arange(200):mul(0.01):floor_and_mod_for_spec() }
      return data
    end
    lunet.Tensor.floor_and_mod_for_spec = function(t)     -- labels 0..3, made in Lua for this spec
      local out = lunet.zeros(t:numel())
      for i = 1, t:numel() do out[i] = math.floor(t[i] * 100) % 4 end
      return out
    end
    local results = {}
    for k = 1, 2 do
      local data = run()
      local net = lunet.Network { 8, 6, 4 }
      net:SGD(data, 3, 7, 0.5, opts { lambda = 0.1 })
      results[k] = net:flat_parameters():totable()
    end
    lunet.Tensor.floor_and_mod_for_spec = nil
    assert.are.same(results[1], results[2])
  end)

  it("learns a separable problem", function()
    lunet.seed(8)
    local n = 400
    local x = lunet.randn(n, 2)
    local y = lunet.zeros(n)
    for i = 1, n do
      if x[{ i, 1 }] + 0.5 * x[{ i, 2 }] > 0 then y[i] = 1 end
    end
    local net = lunet.Network { 2, 8, 2 }
    net:SGD({ x = x, y = y }, 30, 10, 1.0, QUIET)
    assert.is_true(net:accuracy({ x = x, y = y }) >= 0.95)
  end)

  it("returns the book's four monitors and a history", function()
    lunet.seed(9)
    local data = { x = lunet.rand(50, 4), y = lunet.zeros(50) }
    local net = lunet.Network { 4, 3, 2 }
    local ec, ea, tc, ta, h = net:SGD(data, 3, 10, 0.5, opts {
      evaluation_data = data, monitor_evaluation_cost = true, monitor_evaluation_accuracy = true,
      monitor_training_cost = true, monitor_training_accuracy = true, lambda = 1.0,
    })
    for _, list in ipairs { ec, ea, tc, ta } do assert.are.equal(3, #list) end
    assert.are.equal("integer", math.type(ea[1]))
    assert.are.equal(ea[3] / 50, h.evaluation_accuracy[3])
    H.near(tc[3], net:total_cost(data, 1.0), 1e-6)
    assert.are.equal(ta[3] / 50, net:accuracy(data))
    assert.are.same({ 1, 2, 3 }, h.epoch)
    assert.are.equal("epochs", h.stopped)
  end)

  it("prints one line per epoch when verbose", function()
    local lines = {}
    local out = { write = function(_, ...) lines[#lines + 1] = table.concat({ ... }) end, flush = function() end }
    local data = { x = lunet.rand(20, 4), y = lunet.zeros(20) }
    lunet.Network { 4, 2 }:SGD(data, 2, 5, 0.1, { progress = false, out = out,
      evaluation_data = data, monitor_evaluation_accuracy = true })
    assert.are.equal(2, #lines)
    assert.matches("^Epoch 2/2 [%d.]+s  evaluation accuracy [%d.]+%%", lines[2])
  end)

  it("records gradient norms per layer and epoch", function()
    local data = { x = lunet.rand(30, 4), y = lunet.zeros(30) }
    local _, _, _, _, h = lunet.Network { 4, 3, 3, 2 }:SGD(data, 2, 5, 0.1, opts { gradient_norms = true })
    assert.are.same({ 0, 1, 2 }, h.gradient_norms.epoch)
    assert.are.equal(3, #h.gradient_norms.bias)
    assert.are.equal(3, #h.gradient_norms.bias[1])
    assert.is_true(h.gradient_norms.weight[2][1] > 0)
  end)

  it("halves eta when validation stalls and stops once it fell 128-fold", function()
    lunet.seed(10)
    local data = { x = lunet.rand(40, 3), y = lunet.zeros(40) }
    local net = lunet.Network { 3, 2 }
    -- so small a rate that no prediction changes: validation accuracy never improves
    local _, _, _, _, h = net:SGD(data, 100, 10, 1e-9, opts { evaluation_data = data,
      monitor_evaluation_accuracy = true, schedule = { patience = 2 } })
    assert.are.equal("schedule", h.stopped)
    assert.are.equal(1e-9, h.eta[1])
    assert.are.equal(1e-9, h.eta[3])
    assert.are.equal(0.5e-9, h.eta[4])
    H.near(h.eta[#h.eta], 1e-9 / 64, 1e-12)
    assert.are.equal(1 + 2 * 7, #h.eta)   -- 7 halvings after 2 stale epochs each, the 8th stops
  end)

  it("stops early after n epochs without improvement", function()
    local data = { x = lunet.rand(40, 3), y = lunet.zeros(40) }
    local _, _, _, _, h = lunet.Network { 3, 2 }:SGD(data, 50, 10, 0.1, opts { evaluation_data = data,
      monitor_evaluation_accuracy = true, early_stopping = 3 })
    assert.are.equal("early stopping", h.stopped)
    assert.are.equal(h.best_epoch + 3, #h.epoch)
  end)

  it("trains on an expanded set of 5 times as many images", function()
    lunet.seed(2)
    local base = { x = lunet.rand(20, 16), y = lunet.zeros(20) }
    local big = lunet.data.expand(base, { shifts = true })
    assert.are.equal(100, big.n)
    local net = lunet.Network { 16, 4, 2 }
    local _, _, _, _, h = net:SGD(big, 1, 10, 0.1, opts { evaluation_data = big, monitor_evaluation_accuracy = true })
    assert.are.equal(1, #h.evaluation_accuracy)
  end)

  it("refuses bad data and options with clear errors", function()
    local net = lunet.Network { 4, 3, 2 }
    local x = lunet.rand(10, 4)
    local function sgd(data, o, batch)
      return H.err(function() net:SGD(data, 1, batch or 5, 0.1, opts(o or {})) end)
    end
    local bad_label = lunet.zeros(10)
    bad_label[3] = 2
    assert.matches("label 2 of sample 3 is not a class 0..1", sgd({ x = x, y = bad_label }))
    bad_label[3] = 0.5
    assert.matches("label 0.5 of sample 3", sgd({ x = x, y = bad_label }))
    bad_label[3] = -1
    assert.matches("label %-1 of sample 3", sgd({ x = x, y = bad_label }))
    local nan = x:clone()
    nan[{ 2, 2 }] = 0 / 0
    assert.matches("training data inputs contain NaN", sgd({ x = nan, y = lunet.zeros(10) }))
    assert.matches("mini%-batch size must be a positive integer, got 0", sgd({ x = x, y = lunet.zeros(10) }, {}, 0))
    assert.matches("10 inputs but labels/targets of shape 9", sgd({ x = x, y = lunet.zeros(9) }))
    assert.matches("have 5 values per sample but the network takes 4",
      sgd({ x = lunet.rand(10, 5), y = lunet.zeros(10) }))
    assert.matches("targets of shape 10x3 but the network has 2 outputs", sgd({ x = x, y = lunet.rand(10, 3) }))
    assert.matches("a data set is a table", sgd({ x }))
    assert.matches("unknown option 'lamda'", sgd({ x = x, y = lunet.zeros(10) }, { lamda = 1 }))
    assert.matches("need evaluation_data", sgd({ x = x, y = lunet.zeros(10) }, { early_stopping = 2 }))
    assert.matches("has no cost", H.err(lunet.train.sgd, lunet.nn.Sequential { lunet.nn.Linear(4, 2) },
      { x = x, y = lunet.zeros(10) }, opts { epochs = 1, eta = 0.1 }))
  end)

  it("says when training diverges", function()
    local x = lunet.randn(20, 4):mul(1e30)
    local msg = H.err(function()
      lunet.Network({ 4, 3, 2 }, { cost = "quadratic", activation = "identity" }):SGD({ x = x, y = lunet.zeros(20) },
        1, 5, 1e10, QUIET)
    end)
    assert.matches("training diverged", msg)
  end)
end)
