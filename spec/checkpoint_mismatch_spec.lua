-- Resuming refuses a run that differs from the checkpointed one however the
-- difference was given: momentum in the optimizer table or object as well
-- as beside it; another training or evaluation set of the same size.
local lunet = require "lunet"
local nn = lunet.nn

local TMP = os.tmpname()

local function dataset(n, seed)
  lunet.seed(seed)
  local x = lunet.rand(n, 16)
  local y = lunet.zeros(n, "float32")
  for i = 1, n do
    local c = (i - 1) % 2
    y[i] = c
    x:narrow(1, i, 1):narrow(2, 1 + 8 * c, 4):add_(1)
  end
  return { x = x, y = y }
end

local function model()
  lunet.seed(3)
  return nn.Sequential({ nn.Linear(16, 6), nn.ReLU(), nn.Linear(6, 2), nn.Softmax() },
    { input = { 16 }, cost = "log_likelihood" })
end

local function options(t)
  local o = { batch = 5, eta = 0.05, verbose = false, progress = false }
  for k, v in pairs(t) do o[k] = v end
  return o
end

describe("resume refuses another momentum", function()
  after_each(function() os.remove(TMP) end)

  it("given in the optimizer table", function()
    local training = dataset(40, 1)
    lunet.train.sgd(model(), training, options({ epochs = 1, checkpoint = TMP,
      optimizer = { kind = "sgd", momentum = 0.9 } }))
    local net = model()
    local ok, err = pcall(lunet.train.sgd, net, training, options({ epochs = 2, resume = TMP,
      optimizer = { kind = "sgd", momentum = 0.5 } }))
    assert.is_false(ok)
    assert.matches("momentum = 0.9, this run has 0.5", err)
    -- the same momentum, in the table or beside it, resumes
    assert.has_no_error(function()
      lunet.train.sgd(model(), training, options({ epochs = 2, resume = TMP,
        optimizer = { kind = "sgd", momentum = 0.9 } }))
    end)
    assert.has_no_error(function()
      lunet.train.sgd(model(), training, options({ epochs = 2, resume = TMP, momentum = 0.9 }))
    end)
  end)

  it("of an optimizer object, which keeps its own momentum", function()
    local training = dataset(40, 1)
    local net = model()
    lunet.train.sgd(net, training, options({ epochs = 1, checkpoint = TMP,
      optimizer = lunet.optim.optimizer(net, { kind = "sgd", eta = 0.05, momentum = 0.9 }) }))
    net = model()
    local o = lunet.optim.optimizer(net, { kind = "sgd", eta = 0.05, momentum = 0.3 })
    local ok, err = pcall(lunet.train.sgd, net, training, options({ epochs = 2, resume = TMP, optimizer = o }))
    assert.is_false(ok)
    assert.matches("momentum = 0.9, this run has 0.3", err)
    assert.are.equal(0.3, o:get("momentum"))
  end)
end)

describe("resume refuses other data of the same size", function()
  after_each(function() os.remove(TMP) end)

  it("another training set, another evaluation set; the same values in a copy resume", function()
    local training, validation = dataset(40, 1), dataset(10, 5)
    lunet.train.sgd(model(), training, options({ epochs = 1, checkpoint = TMP, evaluation_data = validation,
      monitor_evaluation_accuracy = true }))
    local net = model()
    local before = net:flat_parameters():clone()
    local ok, err = pcall(lunet.train.sgd, net, dataset(40, 2), options({ epochs = 2, resume = TMP,
      evaluation_data = validation, monitor_evaluation_accuracy = true }))
    assert.is_false(ok)
    assert.matches("was made with another training set %(the same size, other values%)", err)
    assert.are.equal(0, (net:flat_parameters() - before):abs():max())
    ok, err = pcall(lunet.train.sgd, net, training, options({ epochs = 2, resume = TMP,
      evaluation_data = dataset(10, 6), monitor_evaluation_accuracy = true }))
    assert.is_false(ok)
    assert.matches("was made with another evaluation set %(the same size, other values%)", err)
    -- labels count as well as images
    local relabelled = { x = training.x, y = training.y:clone() }
    relabelled.y[1] = 1 - relabelled.y[1]
    ok = pcall(lunet.train.sgd, net, relabelled, options({ epochs = 2, resume = TMP,
      evaluation_data = validation, monitor_evaluation_accuracy = true }))
    assert.is_false(ok)
    -- a copy with the same values (a view into a larger tensor) is the same set
    local tall = lunet.zeros(45, 16)
    tall:narrow(1, 6, 40):copy(training.x)
    assert.has_no_error(function()
      lunet.train.sgd(model(), { x = tall:narrow(1, 6, 40), y = training.y:clone() }, options({ epochs = 2,
        resume = TMP, evaluation_data = validation, monitor_evaluation_accuracy = true }))
    end)
  end)

  it("digests values whatever the layout or dtype, and tells other values apart", function()
    local core = require "lunet.core"
    local x = lunet.rand(7, 5)
    assert.are.equal(core.tensor_digest(x), core.tensor_digest(x:double()))
    assert.are.equal(core.tensor_digest(x), core.tensor_digest(x:t():contiguous():t()))
    assert.are_not.equal(core.tensor_digest(x), core.tensor_digest(x:t():contiguous()))   -- another shape
    local y = x:clone()
    y[{ 7, 5 }] = y[{ 7, 5 }] + 1
    assert.are_not.equal(core.tensor_digest(x), core.tensor_digest(y))
    local swapped = x:clone()
    swapped[{ 1, 1 }], swapped[{ 1, 2 }] = x[{ 1, 2 }], x[{ 1, 1 }]
    assert.are_not.equal(core.tensor_digest(x), core.tensor_digest(swapped))
    assert.matches("^%x+$", core.tensor_digest(lunet.zeros(0, 3)))
  end)
end)

describe("a model file and a checkpoint are told apart", function()
  after_each(function() os.remove(TMP) end)

  it("lunet.load of a checkpoint and resume from a model file say which file it is", function()
    local training = dataset(20, 1)
    local net = model()
    lunet.train.sgd(net, training, options({ epochs = 1, checkpoint = TMP }))
    local ok, err = pcall(lunet.load, TMP)
    assert.is_false(ok)
    assert.matches("not a lunet model file but a training checkpoint", err, 1, true)
    net:save(TMP)
    ok, err = pcall(lunet.train.sgd, model(), training, options({ epochs = 2, resume = TMP }))
    assert.is_false(ok)
    assert.matches("not a lunet checkpoint but a model file (written by save)", err, 1, true)
  end)
end)

describe("a run stopped by on_monitor", function()
  after_each(function() os.remove(TMP) end)

  local function bytes(net) return table.concat(net:flat_parameters():totable(), " ") end

  -- 40 samples, mini-batches of 5: monitoring every 10 images is every 2
  -- mini-batches, so the epoch's end (8 mini-batches) is a monitoring point.
  local function run(stop_at)
    local training, validation = dataset(40, 1), dataset(10, 5)
    local net = model()
    local o = options({ epochs = 4, evaluation_data = validation, monitor_evaluation_accuracy = true,
      momentum = 0.9, monitor_every = 10 })
    if stop_at then
      o.checkpoint = TMP
      o.on_monitor = function(m) return m.images < stop_at end
      local _, _, _, _, h = lunet.train.sgd(net, training, o)
      assert.are.equal("monitor", h.stopped)
      net, o.checkpoint, o.on_monitor, o.resume = model(), nil, nil, TMP
    end
    local _, _, _, _, h = lunet.train.sgd(net, training, o)
    return bytes(net), h
  end

  it("in the middle of an epoch resumes from the epoch before, bit for bit", function()
    local want, whole = run(nil)
    local got, resumed = run(100)   -- stops 20 images into epoch 3
    assert.are.equal(want, got)
    assert.are.same(whole.evaluation_accuracy, resumed.evaluation_accuracy)
    assert.are.equal("epochs", resumed.stopped)
  end)

  it("at the end of an epoch resumes from that epoch, bit for bit", function()
    local want = run(nil)
    assert.are.equal(want, (run(80)))   -- stops after epoch 2's last mini-batch
  end)
end)
