-- The training loop against plain-Lua arithmetic: the last partial
-- mini-batch, the scaling by the mini-batch size, momentum and Nesterov
-- combined with L1 and L2, evaluation, predictions and gradient norms over
-- more than one chunk (chunks of 200 samples), ties in argmax, and
-- learning-rate schedules that go stale, improve and go stale again.
local lunet = require "lunet"
local H = require "spec.helpers"

local QUIET = { verbose = false, progress = false }

local function opts(t)
  for k, v in pairs(QUIET) do t[k] = v end
  return t
end

local function sigmoid(z) return 1 / (1 + math.exp(-z)) end

-- The network's outputs for rows of x, computed in plain Lua from its
-- weights and biases (sigmoid layers; softmax last for log_likelihood).
local function plain_forward(net, x, softmax_last)
  local out = {}
  for i, row in ipairs(x) do
    local a = row
    for l = 1, #net.sizes - 1 do
      local w, b = net.weights[l]:totable(), net.biases[l]:totable()
      local z = {}
      for j = 1, #b do
        local s = b[j]
        for k = 1, #a do s = s + w[j][k] * a[k] end
        z[j] = s
      end
      if softmax_last and l == #net.sizes - 1 then
        local mx, sum = -math.huge, 0
        for _, v in ipairs(z) do mx = math.max(mx, v) end
        for j, v in ipairs(z) do z[j] = math.exp(v - mx); sum = sum + z[j] end
        for j in ipairs(z) do z[j] = z[j] / sum end
      else
        for j, v in ipairs(z) do z[j] = sigmoid(v) end
      end
      a = z
    end
    out[i] = a
  end
  return out
end

local function argmax(row)
  local best = 1
  for j = 2, #row do if row[j] > row[best] then best = j end end
  return best - 1
end

-- Mean gradient of the cross-entropy cost of a sigmoid network over the
-- rows idx of (x, labels), at flat parameters w: through the layer API with
-- dC/da = (a - y) / (a (1 - a)) / m written here.
local function grad_at(net, w, x, labels, idx)
  local ref = net:clone()
  ref:flat_parameters():copy(lunet.tensor(w, "float64"))
  local rows = {}
  for i, k in ipairs(idx) do rows[i] = x[k] end
  local xt = lunet.tensor(rows, "float64")
  local a = ref:forward(xt):totable()
  local m = #idx
  local dy = {}
  for i = 1, m do
    dy[i] = {}
    for j = 1, #a[i] do
      local y = labels[idx[i]] == j - 1 and 1 or 0
      dy[i][j] = (a[i][j] - y) / (a[i][j] * (1 - a[i][j])) / m
    end
  end
  ref:zero_grad()
  ref:backward(xt, lunet.tensor(dy, "float64"))
  local _, g = ref:flat_parameters()
  return H.flat(g:totable())
end

-- 1 for weights (regularised), 0 for biases, per flat parameter.
local function decay_mask(net)
  local mask = {}
  for _, p in ipairs(net:parameters()) do
    for _ = 1, p.value:numel() do mask[#mask + 1] = p.name == "weight" and 1 or 0 end
  end
  return mask
end

local function sign(v) return v > 0 and 1 or v < 0 and -1 or 0 end

-- One optimizer step in plain Lua, as the README writes it.
local function step(state, g, o, mask)
  local w, v = state.w, state.v
  local c = (o.lambda or 0) / o.n
  local nw, nv = {}, {}
  for i = 1, #w do
    local r = 0
    if mask[i] == 1 and o.lambda then r = o.reg == "l1" and c * sign(w[i]) or c * w[i] end
    local d = g[i] + r
    if (o.momentum or 0) == 0 then
      nw[i] = w[i] - o.eta * d
    else
      nv[i] = o.momentum * v[i] - o.eta * d
      nw[i] = o.nesterov and w[i] - o.momentum * v[i] + (1 + o.momentum) * nv[i] or w[i] + nv[i]
    end
  end
  return { w = nw, v = nv }
end

-- Every ordered way of cutting 1..n into mini-batches of `batch` (the last
-- may be smaller): as a list of lists of sample indices, each batch as a
-- sorted set (the order inside a batch does not change its mean).
local function batchings(n, batch)
  local out, seen = {}, {}
  local function rec(left, acc)
    if #left == 0 then
      local key = {}
      for i, b in ipairs(acc) do key[i] = table.concat(b, ",") end
      key = table.concat(key, "|")
      if not seen[key] then
        seen[key] = true
        local copy = {}
        for i, b in ipairs(acc) do copy[i] = b end
        out[#out + 1] = copy
      end
      return
    end
    local size = math.min(batch, #left)
    -- every subset of `size` of the remaining samples
    local function choose(start, pick)
      if #pick == size then
        local rest, inpick = {}, {}
        for _, p in ipairs(pick) do inpick[p] = true end
        for _, s in ipairs(left) do if not inpick[s] then rest[#rest + 1] = s end end
        acc[#acc + 1] = { table.unpack(pick) }
        rec(rest, acc)
        acc[#acc] = nil
        return
      end
      for i = start, #left do
        pick[#pick + 1] = left[i]
        choose(i + 1, pick)
        pick[#pick] = nil
      end
    end
    choose(1, {})
  end
  local all = {}
  for i = 1, n do all[i] = i end
  rec(all, {})
  return out
end

-- All the parameter vectors lunet.train.sgd can reach from the net's
-- current parameters, one per way the shuffles can cut the epochs.
local function reachable(net, x, labels, o, epochs)
  local w0 = H.flat(net:flat_parameters():totable())
  local v0 = {}
  for i = 1, #w0 do v0[i] = 0 end
  local states = { { w = w0, v = v0 } }
  local mask = decay_mask(net)
  local cuts = batchings(#x, o.batch)
  for _ = 1, epochs do
    local nxt = {}
    for _, s in ipairs(states) do
      for _, cut in ipairs(cuts) do
        local st = s
        for _, idx in ipairs(cut) do st = step(st, grad_at(net, st.w, x, labels, idx), o, mask) end
        nxt[#nxt + 1] = st
      end
    end
    states = nxt
  end
  return states
end

local function closest(states, got)
  local best = math.huge
  for _, s in ipairs(states) do
    local d = 0
    for i = 1, #got do d = math.max(d, math.abs(got[i] - s.w[i])) end
    best = math.min(best, d)
  end
  return best
end

local function problem(n, seed)
  lunet.seed(seed)
  local x = lunet.randn(n, 3, "float64"):totable()
  local labels = {}
  for i = 1, n do labels[i] = (i * 5) % 2 end
  local net = lunet.Network({ 3, 4, 2 }, { dtype = "float64" })
  return net, x, labels
end

local function train_run(net, x, labels, o, epochs)
  lunet.train.sgd(net, { x = lunet.tensor(x, "float64"), y = lunet.tensor(labels) }, opts {
    epochs = epochs, batch = o.batch, eta = o.eta, lambda = o.lambda, reg = o.reg,
    momentum = o.momentum, nesterov = o.nesterov })
  return H.flat(net:flat_parameters():totable())
end

describe("SGD steps against plain Lua (regression)", function()
  local cases = {
    { name = "plain SGD, the last mini-batch of 1 of 4", n = 4, batch = 3, eta = 0.7, epochs = 1 },
    { name = "plain SGD with L2, batches 2, 2, 1", n = 5, batch = 2, eta = 0.5, lambda = 0.4, reg = "l2", epochs = 1 },
    { name = "plain SGD with L1, batches 3, 1, two epochs", n = 4, batch = 3, eta = 0.5, lambda = 0.4, reg = "l1",
      epochs = 2 },
    { name = "momentum with L2", n = 4, batch = 3, eta = 0.4, momentum = 0.8, lambda = 0.6, reg = "l2", epochs = 2 },
    { name = "momentum with L1", n = 4, batch = 3, eta = 0.4, momentum = 0.7, lambda = 0.6, reg = "l1", epochs = 2 },
    { name = "Nesterov with L2", n = 4, batch = 3, eta = 0.3, momentum = 0.9, nesterov = true, lambda = 0.5,
      reg = "l2", epochs = 2 },
    { name = "Nesterov with L1", n = 4, batch = 3, eta = 0.3, momentum = 0.6, nesterov = true, lambda = 0.5,
      reg = "l1", epochs = 2 },
    { name = "momentum without regularisation, batches 2, 1", n = 3, batch = 2, eta = 0.5, momentum = 0.5,
      epochs = 2 },
  }
  for i, c in ipairs(cases) do
    it(c.name, function()
      local net, x, labels = problem(c.n, 40 + i)
      c.n_train = c.n
      local states = reachable(net, x, labels, { batch = c.batch, eta = c.eta, lambda = c.lambda, reg = c.reg,
        momentum = c.momentum, nesterov = c.nesterov, n = c.n }, c.epochs)
      local got = train_run(net, x, labels, c, c.epochs)
      local d = closest(states, got)
      assert(d < 1e-12, ("%s: %.3g from the nearest of %d textbook outcomes"):format(c.name, d, #states))
    end)
  end

  it("L1 leaves weights at exactly 0 alone: sgn(0) = 0", function()
    for _, mu in ipairs { 0, 0.5 } do
      lunet.seed(49)
      local x = lunet.randn(4, 3, "float64"):totable()
      local labels = { 0, 1, 1, 0 }
      local net = lunet.Network({ 3, 4, 2 }, { dtype = "float64", init = "zeros" })
      local o = { batch = 4, eta = 0.5, lambda = 0.6, reg = "l1", momentum = mu, n = 4 }
      local states = reachable(net, x, labels, o, 1)
      local got = train_run(net, x, labels, o, 1)
      assert(closest(states, got) < 1e-12, "momentum " .. mu)
      assert.are.equal(0, net.weights[1]:norm())   -- no gradient reaches them and no penalty moves them
    end
  end)

  it("the mini-batch mean, not the sum: batch 4 of 4 identical samples steps as one sample", function()
    local net = lunet.Network({ 2, 2 }, { dtype = "float64" })
    local one = { x = lunet.tensor({ { 0.5, -1 } }, "float64"), y = lunet.tensor({ 1 }) }
    local four = { x = lunet.tensor({ { 0.5, -1 }, { 0.5, -1 }, { 0.5, -1 }, { 0.5, -1 } }, "float64"),
      y = lunet.tensor({ 1, 1, 1, 1 }) }
    local a, b = net:clone(), net:clone()
    lunet.train.sgd(a, one, opts { epochs = 1, batch = 1, eta = 0.9 })
    lunet.train.sgd(b, four, opts { epochs = 1, batch = 4, eta = 0.9 })
    H.near(a:flat_parameters(), b:flat_parameters(), 1e-14)
    -- and by hand: w <- w - eta (a - y) x for the cross-entropy cost of a sigmoid
    local w, bias = net.weights[1]:totable(), net.biases[1]:totable()
    local want = {}
    for j = 1, 2 do
      local z = bias[j] + w[j][1] * 0.5 + w[j][2] * -1
      local d = sigmoid(z) - (j == 2 and 1 or 0)
      want[j] = { w[j][1] - 0.9 * d * 0.5, w[j][2] - 0.9 * d * -1 }
    end
    H.near(b.weights[1], want, 1e-13)
  end)
end)

describe("evaluation, predictions and gradient norms over several chunks (regression)", function()
  local N = 450   -- three chunks of 200, 200 and 50

  local function data_for(n_out, seed)
    lunet.seed(seed)
    local x = lunet.randn(N, 3, "float64"):mul(2)
    local labels = {}
    for i = 1, N do labels[i] = (i * 7 + i // 5) % n_out end
    return x, labels
  end

  for _, cost in ipairs { "cross_entropy", "quadratic", "log_likelihood" } do
    for _, reg in ipairs { "l2", "l1" } do
      it(("cost and accuracy: %s with %s"):format(cost, reg), function()
        local x, labels = data_for(3, 60)
        local net = lunet.Network({ 3, 5, 3 }, { dtype = "float64", cost = cost })
        local a = plain_forward(net, x:totable(), cost == "log_likelihood")
        local sum, correct = 0, 0
        for i = 1, N do
          for j = 1, 3 do
            local y = labels[i] == j - 1 and 1 or 0
            local v = a[i][j]
            if cost == "cross_entropy" then sum = sum - (y * math.log(v) + (1 - y) * math.log(1 - v))
            elseif cost == "quadratic" then sum = sum + 0.5 * (v - y) ^ 2
            elseif y == 1 then sum = sum - math.log(v) end
          end
          if argmax(a[i]) == labels[i] then correct = correct + 1 end
        end
        local lambda, pen = 3.5, 0
        for l = 1, 2 do
          for _, v in ipairs(H.flat(net.weights[l]:totable())) do
            pen = pen + (reg == "l2" and v * v / 2 or math.abs(v))
          end
        end
        local data = { x = x, y = lunet.tensor(labels) }
        local c, k = lunet.train.evaluate(net, data, lambda, reg)
        assert.are.equal(correct, k)
        H.near(c, sum / N + lambda / N * pen, 1e-12)
        H.near(lunet.train.evaluate(net, data), sum / N, 1e-12)
        assert.are.equal(correct / N, net:accuracy(data))
        -- targets given as rows instead of labels
        local rows = {}
        for i = 1, N do rows[i] = { 0, 0, 0 }; rows[i][labels[i] + 1] = 1 end
        local c2, k2 = lunet.train.evaluate(net, { x = x, y = lunet.tensor(rows, "float64") }, lambda, reg)
        assert.are.equal(correct, k2)
        H.near(c2, c, 1e-12)
        -- predictions of all 450 rows
        H.near(net:output(x), a, 1e-12)
        local cls = net:classify(x):totable()
        for i = 1, N do assert.are.equal(argmax(a[i]), cls[i]) end
      end)
    end
  end

  it("the monitors of lunet.train.sgd are those costs and counts", function()
    local x, labels = data_for(2, 61)
    local net = lunet.Network({ 3, 4, 2 }, { dtype = "float64" })
    local data = { x = x, y = lunet.tensor(labels) }
    local ec, ea, tc, ta, h = lunet.train.sgd(net, data, opts { epochs = 1, batch = 100, eta = 0.1,
      lambda = 2, evaluation_data = data, monitor_evaluation_cost = true, monitor_evaluation_accuracy = true,
      monitor_training_cost = true, monitor_training_accuracy = true })
    local c, k = lunet.train.evaluate(net, data, 2, "l2")
    assert.are.equal(c, ec[1])
    assert.are.equal(c, tc[1])
    assert.are.equal(k, ea[1])
    assert.are.equal(k, ta[1])
    assert.are.equal(k / N, h.evaluation_accuracy[1])
    assert.are.equal(k / N, h.training_accuracy[1])
  end)

  it("gradient norms are those of the mean gradient over all samples", function()
    local x, labels = data_for(2, 62)
    local net = lunet.Network({ 3, 4, 3, 2 }, { dtype = "float64" })
    local all = {}
    for i = 1, N do all[i] = i end
    local w = H.flat(net:flat_parameters():totable())
    local g = grad_at(net, w, x:totable(), labels, all)
    local at, bias, weight = 1, {}, {}
    for _, p in ipairs(net:parameters()) do
      local s = 0
      for i = at, at + p.value:numel() - 1 do s = s + g[i] * g[i] end
      at = at + p.value:numel()
      if p.name == "bias" then bias[#bias + 1] = math.sqrt(s) else weight[#weight + 1] = math.sqrt(s) end
    end
    local b, wn = net:gradient_norms({ x = x, y = lunet.tensor(labels) })
    H.near(b, bias, 1e-12)
    H.near(wn, weight, 1e-12)
    -- and what training records at epoch 0 (on at most the first 1000 samples: all 450 here)
    local _, _, _, _, h = lunet.train.sgd(net, { x = x, y = lunet.tensor(labels) },
      opts { epochs = 1, batch = 450, eta = 0.1, gradient_norms = true })
    H.near({ h.gradient_norms.bias[1][1], h.gradient_norms.bias[2][1], h.gradient_norms.bias[3][1] }, bias, 1e-12)
    H.near({ h.gradient_norms.weight[1][1], h.gradient_norms.weight[3][1] }, { weight[1], weight[3] }, 1e-12)
  end)
end)

describe("ties in argmax (regression)", function()
  it("go to the first index", function()
    assert.are.equal(2, lunet.tensor({ 1, 3, 3, 2 }):argmax())
    assert.are.equal(1, lunet.tensor({ 1, 1, 1 }):argmax())
    assert.are.equal(3, lunet.tensor({ 4, 2, 1, 1 }):argmin())
    assert.are.same({ 1, 2, 3 }, lunet.tensor({ { 5, 5, 1 }, { 0, 2, 2 }, { 0, 1, 7 } }):argmax(2):totable())
    assert.are.same({ 1, 2 }, lunet.tensor({ { 5, 2 }, { 5, 9 } }):argmax(1):totable())
  end)

  it("in a network's outputs: every output equal gives class 0", function()
    local net = lunet.Network({ 2, 3 }, { init = "zeros", dtype = "float64" })
    local x = lunet.randn(250, 2, "float64")
    local labels, zeros = {}, 0
    for i = 1, 250 do
      labels[i] = i % 3
      if labels[i] == 0 then zeros = zeros + 1 end
    end
    assert.are.equal(zeros / 250, net:accuracy({ x = x, y = lunet.tensor(labels) }))
    assert.are.same({ 0, 0 }, net:classify(x:narrow(1, 1, 2)):totable())
    -- targets with ties count the first largest as the class too
    local rows = {}
    for i = 1, 250 do rows[i] = i % 2 == 0 and { 0.5, 0.5, 0 } or { 0, 0.5, 0.5 } end
    local _, k = lunet.train.evaluate(net, { x = x, y = lunet.tensor(rows, "float64") })
    assert.are.equal(125, k)
  end)
end)

describe("learning-rate schedule and early stopping (regression)", function()
  -- x in {-2, -1, 1, 2}, class 1 for x > 0. Three settings of a 1 -> 2
  -- network make the validation accuracy 0.5, 0.75 and 1, each with a wide
  -- margin, so tiny training steps never change a prediction.
  local X = { { -2 }, { -1 }, { 1 }, { 2 } }
  local LABELS = { 0, 0, 1, 1 }
  local SETTINGS = {
    A = { w = { { 0 }, { 0 } }, b = { 0, 1 } },      -- always class 1: 0.5
    B = { w = { { 0 }, { 1 } }, b = { 0, 1.5 } },    -- class 1 for x > -1.5: 0.75
    C = { w = { { 0 }, { 1 } }, b = { 0, 0 } },      -- class 1 for x > 0: 1
  }

  local function set(net, name)
    net.weights[1]:copy(lunet.tensor(SETTINGS[name].w, "float64"))
    net.biases[1]:copy(lunet.tensor(SETTINGS[name].b, "float64"))
  end

  -- Trains with the settings given per epoch; returns the history and the
  -- learning rate each epoch's step actually used (from the parameters).
  local function run(plan, o)
    local net = lunet.Network({ 1, 2 }, { dtype = "float64" })
    local data = { x = lunet.tensor(X, "float64"), y = lunet.tensor(LABELS) }
    local all = { 1, 2, 3, 4 }
    set(net, plan[1])
    local used = {}
    local function before()
      local w = H.flat(net:flat_parameters():totable())
      return w, grad_at(net, w, X, LABELS, all)
    end
    local w0, g0 = before()
    o.on_epoch = function(e)
      local w1 = H.flat(net:flat_parameters():totable())
      local i = 1   -- the gradient of the first weight is never small here
      for k = 1, #g0 do if math.abs(g0[k]) > math.abs(g0[i]) then i = k end end
      used[e] = (w0[i] - w1[i]) / g0[i]
      if plan[e + 1] then set(net, plan[e + 1]) end
      w0, g0 = before()
    end
    local _, _, _, _, h = lunet.train.sgd(net, data, opts(o))
    return h, used
  end

  it("halves eta after a stale spell, resets on improvement, halves again, stops at stop_ratio", function()
    local eta = 0.01
    local h, used = run({ "A", "A", "B", "B", "B", "C", "C", "C", "C", "C" }, { epochs = 10, batch = 4, eta = eta,
      evaluation_data = { x = lunet.tensor(X, "float64"), y = lunet.tensor(LABELS) },
      monitor_evaluation_accuracy = true, schedule = { patience = 2, stop_ratio = 4 } })
    assert.are.same({ 0.5, 0.5, 0.75, 0.75, 0.75, 1, 1, 1 }, h.evaluation_accuracy)
    assert.are.equal("schedule", h.stopped)
    assert.are.same({ eta, eta, eta, eta, eta, eta / 2, eta / 2, eta / 2 }, h.eta)
    for e = 1, 8 do H.near(used[e], h.eta[e], 1e-9, "the rate epoch " .. e .. " used") end
    assert.are.equal(6, h.best_epoch)
    assert.are.equal(1, h.best_accuracy)
  end)

  it("a factor other than a half and a patience of 3", function()
    local eta = 0.02
    local h, used = run({ "A", "A", "A", "A", "B", "B", "B", "B", "B" }, { epochs = 9, batch = 4, eta = eta,
      evaluation_data = { x = lunet.tensor(X, "float64"), y = lunet.tensor(LABELS) },
      monitor_evaluation_accuracy = true, schedule = { patience = 3, factor = 0.25 } })
    assert.are.equal("epochs", h.stopped)
    -- A stale from epoch 2: 3 stale epochs (2, 3, 4) make eta / 4 from epoch 5;
    -- B improves at 5; 6, 7, 8 are stale: eta / 16 from epoch 9
    assert.are.same({ eta, eta, eta, eta, eta / 4, eta / 4, eta / 4, eta / 4, eta / 16 }, h.eta)
    for e = 1, 9 do H.near(used[e], h.eta[e], 1e-9, "the rate epoch " .. e .. " used") end
  end)

  it("early stopping counts stale epochs from the last improvement", function()
    local h = run({ "A", "A", "B", "B", "B", "B", "B", "B" }, { epochs = 8, batch = 4, eta = 0.01,
      evaluation_data = { x = lunet.tensor(X, "float64"), y = lunet.tensor(LABELS) },
      monitor_evaluation_accuracy = true, early_stopping = 3 })
    assert.are.equal("early stopping", h.stopped)
    assert.are.equal(6, #h.epoch)
    assert.are.equal(3, h.best_epoch)
    assert.are.equal(0.75, h.best_accuracy)
  end)
end)

describe("costs that are not fused with the last layer (regression)", function()
  local nn = lunet.nn
  lunet.seed(95)
  local x = lunet.randn(5, 4, "float64")
  local targets = lunet.rand(5, 3, "float64")

  local function check(model, y)
    local worst, where = lunet.gradcheck(model, x, y)
    assert(worst < 1e-6, ("gradient check: %.3g at layer %d %s"):format(worst, where.layer, where.param))
    assert(where.checked > 0)
  end

  it("the quadratic cost after a softmax and after a sigmoid and a reshape", function()
    check(nn.Sequential({ nn.Linear(4, 3), nn.Softmax() }, { cost = "quadratic", dtype = "float64" }), targets)
    check(nn.Sequential({ nn.Linear(4, 3), nn.Sigmoid(), nn.Reshape(3) }, { cost = "quadratic", dtype = "float64" }),
      targets)
  end)

  it("cross-entropy and log-likelihood need the layer they fuse with (so the unfused forms never run)", function()
    assert.matches("cross%-entropy cost needs sigmoid outputs", H.err(nn.Sequential,
      { nn.Linear(4, 3), nn.Softmax() }, { cost = "cross_entropy", input = { 4 } }))
    assert.matches("log%-likelihood cost needs softmax outputs", H.err(nn.Sequential,
      { nn.Linear(4, 3), nn.Sigmoid() }, { cost = "log_likelihood", input = { 4 } }))
  end)
end)

describe("the epoch lines of lunet.train.sgd (regression)", function()
  it("print every monitor asked for, with the values returned", function()
    lunet.seed(96)
    local data = { x = lunet.randn(30, 3, "float64"), y = lunet.ones(30) }
    local net = lunet.Network({ 3, 2 }, { dtype = "float64" })
    local lines = {}
    local out = { write = function(self, ...)
      lines[#lines + 1] = table.concat({ ... })
      return self
    end, flush = function() end }
    local ec, ea, tc, ta, h = lunet.train.sgd(net, data, { epochs = 2, batch = 10, eta = 0.1, progress = false,
      verbose = true, out = out, evaluation_data = data, monitor_evaluation_cost = true,
      monitor_evaluation_accuracy = true, monitor_training_cost = true, monitor_training_accuracy = true,
      schedule = { patience = 5 } })
    local text = table.concat(lines)
    for e = 1, 2 do
      local want = ("Epoch %d/2 [%%d.]+s  training cost %s  training accuracy %s%%%%  evaluation cost %s  " ..
        "evaluation accuracy %s%%%%  eta 0.1\n"):format(e, ("%.4f"):format(tc[e]):gsub("%.", "%%."),
        ("%.2f"):format(100 * ta[e] / 30):gsub("%.", "%%."), ("%.4f"):format(ec[e]):gsub("%.", "%%."),
        ("%.2f"):format(100 * ea[e] / 30):gsub("%.", "%%."))
      assert.truthy(text:match(want), text)
    end
    assert.are.equal(2, #h.epoch)
  end)
end)
