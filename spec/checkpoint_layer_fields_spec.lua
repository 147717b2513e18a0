-- Resuming refuses a checkpoint whose network differs in any one field of
-- one layer (type, sizes, activation, dropout p, maps, kernel, stride, pad,
-- pooling kind, batch-norm eps and momentum, reshape rank and sizes), and
-- names that layer: each field is compared on its own, so a difference in
-- one field is never hidden behind the others.
local lunet = require "lunet"
local nn = require "lunet.nn"
local H = require "spec.helpers"

local TMP = H.tmpname(".ckpt")

-- input 1x6x6 -> conv 2x4x4 -> pool 2x2x2 -> reshape 8 -> dense 4 -> bn -> act -> dropout -> dense 3 -> softmax
local BASE = {
  function() return nn.Conv2d(1, 2, 3, { stride = 1, pad = 0 }) end,
  function() return nn.MaxPool(2) end,
  function() return nn.Reshape(8) end,
  function() return nn.Linear(8, 4) end,
  function() return nn.BatchNorm { eps = 1e-5, momentum = 0.1 } end,
  function() return nn.Sigmoid() end,
  function() return nn.Dropout(0.3) end,
  function() return nn.Linear(4, 3) end,
  function() return nn.Softmax() end,
}

local function model(changes)
  lunet.seed(2)
  local layers = {}
  for i, make in ipairs(BASE) do layers[i] = (changes[i] or make)() end
  return nn.Sequential(layers, { input = { 1, 6, 6 }, cost = "log_likelihood" })
end

local function data()
  lunet.seed(3)
  return { x = lunet.rand(6, 36), y = lunet.tensor({ 0, 1, 2, 0, 1, 2 }) }
end

local function opts(t) return H.sgd_opts(t) end

describe("resuming a checkpoint of a network that differs in one layer field", function()
  setup(function()
    lunet.train.sgd(model {}, data(), opts { checkpoint = TMP })
  end)
  teardown(function() os.remove(TMP) end)

  it("the unchanged network resumes", function()
    local ok, err = pcall(lunet.train.sgd, model {}, data(), opts { epochs = 2, resume = TMP })
    assert.is_true(ok, tostring(err))
  end)

  -- a later reshape and dense layer follow a changed per-sample size
  local function sized(n, more)
    more[3] = function() return nn.Reshape(n) end
    more[4] = function() return nn.Linear(n, 4) end
    return more
  end
  local cases = {
    { "maps", 1, "conv2d", sized(12, { [1] = function() return nn.Conv2d(1, 3, 3) end }) },
    { "kernel", 1, "conv2d", { [1] = function() return nn.Conv2d(1, 2, 2) end } },
    { "stride", 1, "conv2d", sized(2, { [1] = function() return nn.Conv2d(1, 2, 3, { stride = 2 }) end }) },
    { "pad", 1, "conv2d", sized(18, { [1] = function() return nn.Conv2d(1, 2, 3, { pad = 1 }) end }) },
    { "pooling kind", 2, "pool2d", { [2] = function() return nn.AvgPool(2) end } },
    { "pooling stride", 2, "pool2d", sized(18, { [2] = function() return nn.MaxPool(2, 1) end }) },
    { "reshape rank", 3, "reshape", { [3] = function() return nn.Reshape(8, 1) end } },
    { "reshape sizes", 3, "reshape", { [3] = function() return nn.Reshape(2, 4) end,
      [4] = function() return nn.Linear(8, 4) end } },
    { "dense outputs", 4, "dense", { [4] = function() return nn.Linear(8, 5) end,
      [8] = function() return nn.Linear(5, 3) end } },
    { "batch-norm eps", 5, "batchnorm", { [5] = function() return nn.BatchNorm { eps = 1e-4 } end } },
    { "batch-norm momentum", 5, "batchnorm", { [5] = function() return nn.BatchNorm { momentum = 0.2 } end } },
    { "activation", 6, "activation", { [6] = function() return nn.Tanh() end } },
    { "layer type", 6, "activation", { [6] = function() return nn.Dropout(0.3) end } },
    { "dropout p", 7, "dropout", { [7] = function() return nn.Dropout(0.4) end } },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " alone is refused at layer " .. c[2], function()
      local ok, net = pcall(model, c[4])
      assert.is_true(ok, tostring(net))
      local err = H.err(lunet.train.sgd, net, data(), opts { epochs = 2, resume = TMP })
      local want = ("layer %d (%s) differs from this network's layer %d"):format(c[2], c[3], c[2])
      assert.truthy(err:find(want, 1, true), ("expected %q in: %s"):format(want, err))
    end)
  end

  it("reshape sizes of the same rank, alone, are refused at the reshape", function()
    local path = H.tmpname(".ckpt")
    lunet.train.sgd(model { [3] = function() return nn.Reshape(2, 4) end }, data(), opts { checkpoint = path })
    local ok, err = pcall(lunet.train.sgd, model { [3] = function() return nn.Reshape(2, 4) end }, data(),
      opts { epochs = 2, resume = path })
    assert.is_true(ok, tostring(err))
    err = H.err(lunet.train.sgd, model { [3] = function() return nn.Reshape(4, 2) end }, data(),
      opts { epochs = 2, resume = path })
    os.remove(path)
    assert.truthy(err:find("layer 3 (reshape) differs", 1, true), err)
  end)
end)
