-- What the review of the option checks found: a cost the core refused
-- stayed behind as the model's cost; false for an optional option that is
-- not a boolean (schedule, on_epoch, on_monitor, out), which meant "none"
-- before those values were checked, was refused; network3's SGD named
-- lunet.train.sgd in the messages of the options it passes on, and
-- lunet.train.sgd named model:set_cost for a refused cost option.
local lunet = require "lunet"
local nn = require "lunet.nn"
local H = require "spec.helpers"

local function data()
  lunet.seed(10)
  return { x = lunet.rand(6, 4), y = lunet.tensor({ 0, 1, 2, 0, 1, 2 }) }
end

describe("model:set_cost refused by the core", function()
  it("keeps the cost the model had and names the method at the caller's line", function()
    local m = nn.Sequential({ nn.Linear(4, 3), nn.Softmax() }, { input = { 4 } })
    m:net()   -- built: the core checks the cost against the output layer
    local err = H.err(m.set_cost, m, "cross_entropy")
    assert.truthy(err:find("Sequential:set_cost: the cross-entropy cost needs sigmoid outputs", 1, true), err)
    assert.falsy(err:find("lua/lunet/", 1, true), err)
    assert.is_nil(m:cost())
    m:set_cost("log_likelihood")
    H.err(m.set_cost, m, "cross_entropy")
    assert.equal("log_likelihood", m:cost())
    assert.equal("log_likelihood", m:net():info().cost)
  end)
end)

describe("false for an optional option that is not a boolean", function()
  it("means none, as it did before the values were checked", function()
    for _, t in ipairs { { schedule = false }, { on_epoch = false }, { on_monitor = false }, { out = false } } do
      lunet.seed(9)
      local m = nn.Sequential({ nn.Linear(4, 3), nn.Softmax() }, { input = { 4 }, cost = "log_likelihood" })
      local o = { epochs = 1, batch = 3, eta = 0.1, verbose = false, progress = false, evaluation_data = data() }
      for k, v in pairs(t) do o[k] = v end
      local ok, err = pcall(lunet.train.sgd, m, data(), o)
      assert.is_true(ok, tostring(err))
    end
  end)

  it("in network3's SGD too", function()
    lunet.seed(3)
    local n3 = lunet.network3
    local net = n3.Network({ n3.FullyConnectedLayer { n_in = 4, n_out = 3 }, n3.SoftmaxLayer { n_in = 3, n_out = 3 } },
      3)
    local silent = { write = function() end, flush = function() end }
    local ok, err = pcall(net.SGD, net, data(), 1, 3, 0.1, nil, nil, 0, { on_epoch = false, out = silent,
      progress = false })
    assert.is_true(ok, tostring(err))
  end)
end)

describe("network3's SGD", function()
  it("names itself for an option value the trainer refuses", function()
    lunet.seed(3)
    local n3 = lunet.network3
    local net = n3.Network({ n3.FullyConnectedLayer { n_in = 4, n_out = 3 }, n3.SoftmaxLayer { n_in = 3, n_out = 3 } },
      3)
    local err = H.err(net.SGD, net, data(), 1, 3, 0.1, nil, nil, 0, { nesterov = 1 })
    assert.truthy(err:find("network3.Network:SGD: option 'nesterov' must be true or false", 1, true), err)
    err = H.err(net.SGD, net, data(), 1.5, 3, 0.1, nil, nil, 0)
    assert.truthy(err:find("network3.Network:SGD: epochs must be a positive integer", 1, true), err)
  end)
end)

describe("lunet.train.sgd's cost option", function()
  it("names lunet.train.sgd when the cost is refused, not the set_cost it calls", function()
    local function sgd_error(cost)
      local m = nn.Sequential({ nn.Linear(4, 3), nn.Softmax() })
      local err = H.err(lunet.train.sgd, m, data(), { epochs = 1, eta = 0.1, cost = cost, verbose = false,
        progress = false })
      assert.is_nil(m:cost())
      return err
    end
    local err = sgd_error("cross_entropy")
    assert.truthy(err:find("lunet.train.sgd: the cross-entropy cost needs sigmoid outputs", 1, true), err)
    err = sgd_error("hinge")
    assert.truthy(err:find("lunet.train.sgd: unknown cost 'hinge'", 1, true), err)
    assert.falsy(err:find("lua/lunet/", 1, true), err)
  end)
end)
