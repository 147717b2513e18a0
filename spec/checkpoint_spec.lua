-- Checkpoints: training 4 epochs in one go and training 2, checkpointing,
-- then resuming for 2 more give the same network and monitors, bit for bit.
local lunet = require "lunet"
local nn = lunet.nn

local TMP = os.tmpname()

-- 8x8 "images" of 3 classes, as float32, 90 training and 30 validation samples.
local function dataset(n, seed)
  lunet.seed(seed)
  local x = lunet.rand(n, 64)
  local y = lunet.zeros(n, "float32")
  for i = 1, n do
    local c = (i - 1) % 3
    y[i] = c
    x:narrow(1, i, 1):narrow(2, 1 + 20 * c, 8):add_(1.5)
  end
  return { x = x, y = y }
end

-- A network with dropout and batch normalisation, so that both the random
-- stream and saved state matter.
local function model()
  return nn.Sequential({ nn.Linear(64, 20), nn.BatchNorm(), nn.ReLU(), nn.Dropout(0.3), nn.Linear(20, 3),
    nn.Softmax() }, { input = { 64 }, cost = "log_likelihood" })
end

-- Everything a run depends on, made again from the seed as a fresh process would.
local function setup(expand)
  local training, validation = dataset(90, 1), dataset(30, 2)
  lunet.seed(7)
  local net = model()
  if expand then training = lunet.data.expand(training, { shape = { 8, 8 }, rotations = 1, max_degrees = 8 }) end
  return net, training, validation
end

local function options(t, extra)
  local o = { batch = 7, eta = 0.05, verbose = false, progress = false, monitor_evaluation_accuracy = true,
    monitor_evaluation_cost = true, monitor_training_cost = true, monitor_training_accuracy = true }
  for k, v in pairs(t) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local function bits(t)
  local out = {}
  for i, v in ipairs(t:totable()) do out[i] = string.pack("<f", v) end
  return table.concat(out)
end

-- Parameters (and batch-norm state) of a model, as bytes.
local function snapshot(net)
  local c = net:net()
  return bits(net:flat_parameters()) .. bits(c:param(2, "running_mean", "state"))
    .. bits(c:param(2, "running_var", "state"))
end

local function same_history(a, b)
  for _, k in ipairs { "epoch", "eta", "training_cost", "training_accuracy", "evaluation_cost",
    "evaluation_accuracy" } do
    assert.are.same(a[k], b[k], k)
  end
  assert.are.same(a.gradient_norms, b.gradient_norms)
  assert.are.equal(a.best_epoch, b.best_epoch)
  assert.are.equal(a.best_accuracy, b.best_accuracy)
end

-- Trains 4 epochs in one go, then 2 + resume 2, and compares.
local function compare(opts, expand)
  local net, training, validation = setup(expand)
  local o = options({ epochs = 4, evaluation_data = validation }, opts)
  local e1, e2, e3, e4, whole = lunet.train.sgd(net, training, o)
  local want = snapshot(net)

  net, training, validation = setup(expand)
  lunet.train.sgd(net, training, options({ epochs = 2, evaluation_data = validation, checkpoint = TMP }, opts))
  lunet.seed(12345)                       -- what happens in between must not matter
  net, training, validation = setup(expand)
  lunet.seed(999)
  local r1, r2, r3, r4, resumed = lunet.train.sgd(net, training,
    options({ epochs = 4, evaluation_data = validation, resume = TMP }, opts))
  assert.are.equal(want, snapshot(net))
  same_history(whole, resumed)
  assert.are.same({ e1, e2, e3, e4 }, { r1, r2, r3, r4 })
  return whole
end

describe("checkpoints", function()
  after_each(function() os.remove(TMP) end)

  it("resume momentum + dropout + expanded data + a schedule bit for bit", function()
    local h = compare({ momentum = 0.9, lambda = 0.5, schedule = { patience = 1 }, gradient_norms = true }, true)
    assert.is_true(#h.epoch == 4)
    assert.is_true(h.eta[4] < h.eta[1], "the schedule lowered eta")
    assert.are.equal(4, #h.evaluation_cost)
  end)

  it("resume Nesterov bit for bit, and a momentum schedule", function()
    compare({ momentum = 0.8, nesterov = true, reg = "l1", lambda = 0.3 })
    local h = compare({ momentum = function(epoch) return ({ 0.5, 0.6, 0.7, 0.8 })[epoch] end, nesterov = true })
    assert.are.same({ 0.5, 0.6, 0.7, 0.8 }, h.momentum)
  end)

  it("resume momentum with a schedule (without Nesterov) bit for bit", function()
    local function mu(epoch) return 0.95 - 0.1 / epoch end
    local h = compare({ momentum = mu, lambda = 0.5 })
    assert.are.same({ mu(1), mu(2), mu(3), mu(4) }, h.momentum)
  end)

  it("resume plain SGD bit for bit, with early stopping counters", function()
    compare({ early_stopping = 3 })
  end)

  it("resume every optimiser bit for bit (Adagrad, RMSprop, Adam, AdamW, Adamax)", function()
    for _, kind in ipairs { "adagrad", "rmsprop", "adam", "adamw", "adamax" } do
      compare({ optimizer = kind, eta = 0.01, lambda = 0.2, schedule = { patience = 1 } })
    end
    compare({ optimizer = { kind = "adam", beta1 = 0.8, eps = 1e-6 }, eta = 0.01 })
    compare({ optimizer = { kind = "rmsprop", rho = 0.9 }, eta = 0.01, reg = "l1", lambda = 0.1 })
    compare({ optimizer = { kind = "adamw", weight_decay = 0.1 }, eta = 0.01 })
  end)

  it("resume with an optimizer object (lunet.optim.optimizer) bit for bit", function()
    local function run(split)
      local net, training, validation = setup()
      local o = lunet.optim.optimizer(net, { kind = "adamw", weight_decay = 0.05 })
      if split then
        lunet.train.sgd(net, training, options({ epochs = 2, evaluation_data = validation, checkpoint = TMP,
          optimizer = o, eta = 0.01 }))
        net, training, validation = setup()
        o = lunet.optim.optimizer(net, { kind = "adamw", weight_decay = 0.05 })
      end
      lunet.train.sgd(net, training, options({ epochs = 4, evaluation_data = validation, resume = split and TMP or nil,
        optimizer = o, eta = 0.01 }))
      return snapshot(net), o:steps()
    end
    local a, sa = run(false)
    local b, sb = run(true)
    assert.are.equal(a, b)
    assert.are.equal(sa, sb)
  end)

  it("restores Adam's moments and step count: without them the resumed run differs", function()
    local o = { optimizer = "adam", eta = 0.01 }
    local net, training, validation = setup()
    lunet.train.sgd(net, training, options({ epochs = 4, evaluation_data = validation }, o))
    local want = snapshot(net)
    net, training, validation = setup()
    lunet.train.sgd(net, training, options({ epochs = 2, evaluation_data = validation }, o))
    lunet.train.sgd(net, training, options({ epochs = 2, evaluation_data = validation }, o))
    assert.are_not.equal(want, snapshot(net))
  end)

  it("a run stopped by on_epoch resumes where it stopped", function()
    local net, training, validation = setup()
    local o = { epochs = 4, evaluation_data = validation, momentum = 0.9 }
    local _, _, _, _, whole = lunet.train.sgd(net, training, options(o))
    local want = snapshot(net)
    net, training, validation = setup()
    lunet.train.sgd(net, training, options({ evaluation_data = validation, checkpoint = TMP,
      on_epoch = function(epoch) return epoch < 2 end }, { epochs = 4, momentum = 0.9 }))
    net, training, validation = setup()
    local _, _, _, _, resumed = lunet.train.sgd(net, training, options(o, { evaluation_data = validation,
      resume = TMP }))
    assert.are.equal(want, snapshot(net))
    same_history(whole, resumed)
    assert.are.equal("epochs", resumed.stopped)
  end)

  it("restores the velocity: without it the resumed run differs", function()
    local net, training, validation = setup()
    local o = options({ epochs = 4, evaluation_data = validation, momentum = 0.9 })
    lunet.train.sgd(net, training, o)
    local want = snapshot(net)
    net, training, validation = setup()
    lunet.train.sgd(net, training, options({ epochs = 2, evaluation_data = validation, momentum = 0.9 }))
    lunet.train.sgd(net, training, options({ epochs = 2, evaluation_data = validation, momentum = 0.9 }))
    assert.are_not.equal(want, snapshot(net))
  end)

  it("saves every checkpoint_every epochs and at the end", function()
    local net, training = setup()
    local saved = {}
    lunet.train.sgd(net, training, options({ epochs = 5, checkpoint = TMP, checkpoint_every = 2,
      on_epoch = function(epoch)
        local f = io.open(TMP, "rb")
        saved[epoch] = f and f:read("a") or false
        if f then f:close() end
      end }))
    -- on_epoch runs before that epoch's save: the file holds the previous one
    assert.is_false(saved[1])
    assert.is_false(saved[2])
    assert.are.equal(saved[3], saved[4])
    local f = io.open(TMP, "rb")
    local final = f:read("a")
    f:close()
    assert.are_not.equal(saved[4], saved[5])
    assert.are_not.equal(saved[5], final)
  end)

  it("rejects a truncated or corrupt checkpoint and changes nothing", function()
    local net, training = setup()
    lunet.train.sgd(net, training, options({ epochs = 1, checkpoint = TMP }))
    local f = io.open(TMP, "rb")
    local good = f:read("a")
    f:close()
    local cases = {
      good:sub(1, #good - 1), good:sub(1, 100), "", ("x"):rep(64),
      good:sub(1, 200) .. string.char((good:byte(201) + 1) % 256) .. good:sub(202),
    }
    for i, bytes in ipairs(cases) do
      f = io.open(TMP, "wb")
      f:write(bytes)
      f:close()
      local fresh = setup()
      local before = snapshot(fresh)
      local ok, err = pcall(lunet.train.sgd, fresh, training, options({ epochs = 2, resume = TMP }))
      assert.is_false(ok, "case " .. i)
      assert.matches("resume", err)
      assert.are.equal(before, snapshot(fresh))
    end
  end)

  it("refuses a checkpoint of another architecture, dtype or optimizer", function()
    local net, training = setup()
    lunet.train.sgd(net, training, options({ epochs = 1, checkpoint = TMP, momentum = 0.5 }))
    local other = nn.Sequential({ nn.Linear(64, 21), nn.BatchNorm(), nn.ReLU(), nn.Dropout(0.3), nn.Linear(21, 3),
      nn.Softmax() }, { input = { 64 }, cost = "log_likelihood" })
    assert.has_error(function()
      lunet.train.sgd(other, training, options({ epochs = 2, resume = TMP, momentum = 0.5 }))
    end)
    local ok, err = pcall(lunet.train.sgd, other, training, options({ epochs = 2, resume = TMP, momentum = 0.5 }))
    assert.is_false(ok)
    assert.matches("layer 1 %(dense%) differs", err)
    local wide = nn.Sequential({ nn.Linear(64, 20), nn.BatchNorm(), nn.ReLU(), nn.Dropout(0.3), nn.Linear(20, 3),
      nn.Softmax() }, { input = { 64 }, cost = "log_likelihood", dtype = "float64" })
    ok, err = pcall(lunet.train.sgd, wide, training, options({ epochs = 2, resume = TMP, momentum = 0.5 }))
    assert.is_false(ok)
    assert.matches("float32 network, this one is float64", err)
    ok, err = pcall(lunet.train.sgd, setup(), training, options({ epochs = 2, resume = TMP }))
    assert.is_false(ok)
    assert.matches("momentum = 0.5, this run has 0", err)
    ok, err = pcall(lunet.train.sgd, setup(), training, options({ epochs = 2, resume = TMP, momentum = 0.5,
      batch = 8 }))
    assert.is_false(ok)
    assert.matches("batch = 7, this run has 8", err)
  end)

  it("Network:SGD and network3's SGD take checkpoint and resume", function()
    local function run(resume_at)
      local training, validation = dataset(90, 1), dataset(30, 2)
      local function make()
        lunet.seed(3)
        return lunet.Network({ 64, 10, 3 })
      end
      local net = make()
      if resume_at then
        net:SGD(training, resume_at, 9, 0.5, { momentum = 0.5, checkpoint = TMP, progress = false, verbose = false,
          evaluation_data = validation, monitor_evaluation_accuracy = true })
        net = make()
      end
      local _, acc = net:SGD(training, 3, 9, 0.5, { momentum = 0.5, resume = resume_at and TMP, progress = false,
        verbose = false, evaluation_data = validation, monitor_evaluation_accuracy = true })
      return bits(net:flat_parameters()), acc
    end
    local a, acc_a = run(nil)
    local b, acc_b = run(1)
    assert.are.equal(a, b)
    assert.are.same(acc_a, acc_b)

    local n3 = lunet.network3
    local function run3(resume_at)
      local training, validation = dataset(90, 1), dataset(30, 2)
      local function make()
        lunet.seed(4)
        return n3.Network({ n3.FullyConnectedLayer { n_in = 64, n_out = 12, activation = "relu", p_dropout = 0.2 },
          n3.SoftmaxLayer { n_in = 12, n_out = 3, p_dropout = 0.2 } }, 10)
      end
      local sink = { write = function() end, flush = function() end }
      local net = make()
      if resume_at then
        net:SGD(training, resume_at, 10, 0.1, validation, validation, 0.01,
          { out = sink, momentum = 0.7, checkpoint = TMP })
        net = make()
      end
      local best, test = net:SGD(training, 3, 10, 0.1, validation, validation, 0.01,
        { out = sink, momentum = 0.7, resume = resume_at and TMP })
      return bits(net:flat_parameters()), best, test
    end
    local p1, b1, t1 = run3(nil)
    local p2, b2, t2 = run3(2)
    assert.are.equal(p1, p2)
    assert.are.equal(b1, b2)
    assert.are.equal(t1, t2)
  end)
end)

describe("monitors have no side effects", function()
  it("training with every monitor on gives the parameters of training with none, bit for bit", function()
    local net, training = setup(true)
    lunet.train.sgd(net, training, { epochs = 3, batch = 7, eta = 0.05, momentum = 0.5, verbose = false,
      progress = false })
    local plain = snapshot(net)
    local validation
    net, training, validation = setup(true)
    local h = select(5, lunet.train.sgd(net, training, options({ epochs = 3, momentum = 0.5,
      evaluation_data = validation, gradient_norms = true })))
    assert.are.equal(plain, snapshot(net))
    assert.are.equal(4, #h.gradient_norms.epoch)
    assert.are.equal(3, #h.training_accuracy)
  end)

  it("two gradient_norms calls on a network with dropout agree, and leave the random stream alone", function()
    local net, training = setup()
    lunet.seed(77)
    local b1, w1 = lunet.train.gradient_norms(net, training)
    local after_first = lunet.rand(1)[1]
    lunet.seed(77)
    local b2, w2 = lunet.train.gradient_norms(net, training)
    local b3, w3 = lunet.train.gradient_norms(net, training)
    assert.are.same(b1, b2)
    assert.are.same(w1, w2)
    assert.are.same(b1, b3)
    assert.are.same(w1, w3)
    lunet.seed(77)
    assert.are.equal(lunet.rand(1)[1], after_first)
  end)

  it("evaluation and accuracy leave the network and the stream alone", function()
    local net, training = setup()
    local before = snapshot(net)
    lunet.seed(78)
    lunet.train.evaluate(net, training, 0.5)
    local x = lunet.rand(1)[1]
    lunet.seed(78)
    assert.are.equal(lunet.rand(1)[1], x)
    assert.are.equal(before, snapshot(net))
  end)
end)
