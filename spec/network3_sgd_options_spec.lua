-- network3's SGD checks its option table as every trainer does: a misspelt
-- checkpoint or resume must not silently train without one.
local lunet = require "lunet"
local n3 = lunet.network3

local function setup()
  lunet.seed(2)
  local net = n3.Network({ n3.FullyConnectedLayer { n_in = 4, n_out = 3 }, n3.SoftmaxLayer { n_in = 3, n_out = 2 } }, 2)
  return net, { x = lunet.rand(4, 4), y = lunet.tensor { 0, 1, 0, 1 } }
end

local sink = { write = function() end, flush = function() end }

describe("network3 SGD options", function()
  it("refuses an unknown key, naming the valid ones, before training", function()
    local net, data = setup()
    local before = net:flat_parameters():clone()
    local ok, err = pcall(net.SGD, net, data, 1, 2, 0.1, nil, nil, 0, { out = sink, checkpont = "run.ckpt" })
    assert.is_false(ok)
    assert.matches("network3.Network:SGD: unknown option 'checkpont'", err, 1, true)
    assert.matches("did you mean 'checkpoint'", err, 1, true)
    assert.matches("resume", err, 1, true)
    assert.are.equal(0, (net:flat_parameters() - before):abs():max())
    ok, err = pcall(net.SGD, net, data, 1, 2, 0.1, nil, nil, 0, { out = sink, lambda = 1 })
    assert.is_false(ok)
    assert.matches("unknown option 'lambda'", err, 1, true)
  end)

  it("refuses options that are not a table", function()
    local net, data = setup()
    local ok, err = pcall(net.SGD, net, data, 1, 2, 0.1, nil, nil, 0, 5)
    assert.is_false(ok)
    assert.matches("network3.Network:SGD: options must be a table", err, 1, true)
  end)

  it("takes every option it documents", function()
    local net, data = setup()
    local path = os.tmpname()
    assert.has_no_error(function()
      net:SGD(data, 1, 2, 0.1, data, data, 0, { out = sink, progress = false, momentum = 0.5, nesterov = true,
        gradient_norms = true, on_epoch = function() end, interruptible = false, checkpoint = path,
        checkpoint_every = 1 })
      net:SGD(data, 2, 2, 0.1, data, data, 0, { out = sink, progress = false, momentum = 0.5, nesterov = true,
        resume = path, optimizer = "sgd" })
    end)
    os.remove(path)
  end)
end)
