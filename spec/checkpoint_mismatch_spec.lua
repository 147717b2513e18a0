-- Resuming refuses a run that differs from the checkpointed one however the
-- difference was given: momentum in the optimizer table or object as well
-- as beside it.
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
