-- Resuming on real images (Fashion-MNIST) what checkpoint_spec resumes on
-- synthetic ones: a convolutional network with batch normalisation and
-- dropout, float32 and float64, one and two threads, each optimiser, the
-- run cut by Ctrl-C in the middle of an epoch (the checkpoint is the
-- previous epoch's) and resumed: the parameters, batch-norm state and
-- monitors of the uninterrupted run, bit for bit.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn

local TMP = os.tmpname()
local DIR = "/usr/share/datasets/fashion-mnist/"

local function images()
  local x = lunet.data.load_idx(DIR .. "t10k-images-idx3-ubyte.gz", 1 / 255)
  local y = lunet.data.load_idx(DIR .. "t10k-labels-idx1-ubyte.gz")
  x = x:view(x:size(1), 784)
  return x, y
end
local X, Y = images()

local function sets(dtype)
  local x = dtype == "float64" and X:narrow(1, 1, 200):double() or X:narrow(1, 1, 200):contiguous()
  return { x = x:narrow(1, 1, 150), y = Y:narrow(1, 1, 150) }, { x = x:narrow(1, 151, 50), y = Y:narrow(1, 151, 50) }
end

local function model(dtype)
  lunet.seed(11)
  return nn.Sequential({ nn.Conv2d(1, 4, 5), nn.BatchNorm(), nn.ReLU(), nn.MaxPool(2), nn.Dropout(0.2),
    nn.Linear(4 * 12 * 12, 20), nn.BatchNorm(), nn.Tanh(), nn.Dropout(0.3), nn.Linear(20, 10), nn.Softmax() },
    { input = { 1, 28, 28 }, cost = "log_likelihood", dtype = dtype })
end

local function pid()
  local f = assert(io.open("/proc/self/stat"))
  local id = f:read("l"):match("^(%d+)")
  f:close()
  return id
end

local function options(extra)
  local o = { epochs = 3, batch = 8, verbose = false, progress = false, monitor_evaluation_accuracy = true,
    monitor_evaluation_cost = true }
  for k, v in pairs(extra) do o[k] = v end
  return o
end

-- The model's file image: parameters and batch-norm state.
local function snapshot(net)
  local path = TMP .. ".model"
  net:save(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  os.remove(path)
  return s
end

local function compare(dtype, threads, o)
  local before = lunet.threads()
  lunet.threads(threads)
  local training, validation = sets(dtype)
  local net = model(dtype)
  local _, _, _, _, whole = lunet.train.sgd(net, training, options(o { evaluation_data = validation }))
  local want = snapshot(net)

  -- Ctrl-C in the middle of epoch 2: the checkpoint holds epoch 1
  net = model(dtype)
  local _, _, _, _, cut = lunet.train.sgd(net, training, options(o { evaluation_data = validation,
    checkpoint = TMP, interruptible = true, monitor_every = 64, on_monitor = function(m)
      if m.epoch == 2 then io.popen("kill -INT " .. pid()):close() end
    end }))
  assert.are.equal("interrupted", cut.stopped)
  assert.are.equal(1, #cut.epoch)
  assert.is_false(core.interrupted())
  local _, _, _, _, resumed = lunet.train.sgd(net, training, options(o { evaluation_data = validation,
    resume = TMP }))
  lunet.threads(before)
  assert.are.equal(want, snapshot(net), ("%s, %d thread(s)"):format(dtype, threads))
  assert.are.same(whole.evaluation_accuracy, resumed.evaluation_accuracy)
  assert.are.same(whole.evaluation_cost, resumed.evaluation_cost)
end

local function with(t)
  return function(extra)
    local o = {}
    for k, v in pairs(t) do o[k] = v end
    for k, v in pairs(extra) do o[k] = v end
    return o
  end
end

describe("resume on Fashion-MNIST images", function()
  after_each(function() os.remove(TMP) end)

  it("conv + batch norm + dropout, Nesterov with L1, float32 on two threads", function()
    compare("float32", 2, with { eta = 0.02, momentum = 0.9, nesterov = true, reg = "l1", lambda = 0.5 })
  end)

  it("a momentum schedule with L2, float64 on one thread", function()
    compare("float64", 1, with { eta = 0.02, momentum = lunet.train.sutskever(0.95, 19), lambda = 0.5 })
  end)

  it("AdamW and RMSprop, float64 on two threads; Adagrad and Adamax, float32 on one", function()
    compare("float64", 2, with { optimizer = "adamw", eta = 0.002 })
    compare("float64", 2, with { optimizer = "rmsprop", eta = 0.001, lambda = 0.2 })
    compare("float32", 1, with { optimizer = "adagrad", eta = 0.01, reg = "l1", lambda = 0.1 })
    compare("float32", 1, with { optimizer = "adamax", eta = 0.002 })
  end)
end)
