-- The optimiser objects and the core's training calls under hostile
-- options, sixth round: a reg or transform kind that is no name among the
-- valid ones (the message blamed "bad argument #-1"), and a momentum set to
-- 0 on an optimizer made with momentum (the message said the reverse).
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn
local H = require "spec.helpers"

local function model()
  lunet.seed(3)
  return nn.Sequential({ nn.Linear(4, 3), nn.Softmax() }, { input = { 4 }, cost = "log_likelihood" })
end

local function data()
  return { x = lunet.rand(6, 4), y = lunet.tensor({ 0, 1, 2, 0, 1, 2 }) }
end

describe("a reg option that is not one of none, l2, l1", function()
  it("is named with the valid values, by every call that reads it", function()
    local m = model()
    local net, d = m:net(), data()
    local w = lunet.zeros(net:parameters():numel(), "float64")
    local calls = {
      function(o) return lunet.optim.optimizer(m, { kind = "sgd", eta = 0.1, reg = o.reg }) end,
      function(o) return core.optimizer(net, { kind = "adam", reg = o.reg }) end,
      function(o) return core.objective(net, d, w, o) end,
      function(o) return core.hvp(net, d, w, o) end,
      function(o) return core.evaluate(net, d, o) end,
    }
    for i, call in ipairs(calls) do
      local err = H.err(call, { reg = "l3" })
      assert.matches("option 'reg': invalid value 'l3' %(valid: none, l2, l1%)", err, nil, "call " .. i)
      assert.is_nil(err:find("#-1", 1, true), err)
      err = H.err(call, { reg = 2 })
      assert.matches("option 'reg' must be a name %(valid: none, l2, l1%), got a number", err, nil, "call " .. i)
    end
  end)
end)

describe("an expansion's transform kind", function()
  it("that is not a name among the kinds is named (it blamed bad argument #-1)", function()
    local d = data()
    local set = { x = d.x, y = d.y, expand = { h = 2, w = 2, transforms = { { kind = "swirl" } } } }
    local err = H.err(core.gather, set, { 1 })
    assert.matches("option 'kind': invalid value 'swirl' %(valid: [%a, ]*identity", err)
    set.expand.transforms[1].kind = nil
    assert.matches("option 'kind' must be a name %(valid: .-%), got a nil", H.err(core.gather, set, { 1 }))
  end)
end)

describe("momentum set to 0 on an optimizer made with momentum", function()
  it("is refused for what it is: the velocity would go unused", function()
    for _, zero in ipairs { 0, -0.0 } do
      local o = lunet.optim.optimizer(model(), { kind = "sgd", eta = 0.1, momentum = 0.5 })
      local err = H.err(o.set, o, "momentum", zero)
      assert.matches("would leave the state this optimizer keeps unused", err)
      assert.is_nil(err:find("was made without", 1, true), err)
      assert.are.equal(0.5, o:get("momentum"))
    end
  end)
end)

describe("a data set whose x or y was closed", function()
  it("is named by what was closed, not by a stack slot ('bad argument #6')", function()
    for _, field in ipairs { "x", "y" } do
      local m = model()
      local d = data()
      local f, w = lunet.optim.objective(m, d)
      local calls = 0
      local err = H.err(lunet.optim.minimize, function(v)
        calls = calls + 1
        if calls == 3 then d[field]:close() end
        return f(v)
      end, w)
      assert.matches("lunet.optim.objective: the data set's " .. field .. ": tensor has been closed", err)
      assert.is_nil(err:find("#", 1, true), err)
      local net = m:net()
      for _, call in ipairs { function() return core.hvp(net, d, w) end, function() return core.evaluate(net, d) end,
        function() return core.check_data(net, d) end } do
        err = H.err(call)
        assert.matches("the data set's " .. field .. ": tensor has been closed", err)
        assert.is_nil(err:find("#", 1, true), err)
      end
    end
  end)
end)

describe("a data set in the storage of a block the passes write", function()
  -- Linear(1, 300), Linear(300, 1): 901 parameters, so x = a block viewed as
  -- (901, 1) is 901 samples, five chunks of evaluation
  local function wide()
    lunet.seed(1)
    return nn.Sequential({ nn.Linear(1, 300), nn.Linear(300, 1) }, { input = { 1 }, cost = "quadratic" })
  end

  it("is refused (the gradient block as x gave a cost that depended on the chunking)", function()
    for _, block in ipairs { "gradients", "parameters" } do
      local m = wide()
      local net = m:net()
      local n = net:parameters():numel()
      net[block](net):copy(lunet.rand(n):double())
      local set = { x = net[block](net):view(n, 1), y = lunet.zeros(n, 1, "float64") }
      local what = "the data set's x shares storage with the network's " .. block
      assert.matches(what, H.err(lunet.optim.objective, m, set))
      assert.matches(what, H.err(core.hvp, net, set, lunet.zeros(n)))
      assert.matches(what, H.err(core.evaluate, net, set))
      assert.matches(what, H.err(lunet.train.sgd, m, set, { epochs = 1, eta = 0.1, verbose = false,
        progress = false }))
      local targets = { x = lunet.rand(n, 1):double(), y = net[block](net):view(n, 1) }
      assert.matches("the data set's y shares storage", H.err(lunet.optim.objective, m, targets))
    end
  end)

  it("of the optimizer's state is refused by a training epoch, before the shuffle draws", function()
    local m = wide()
    local net = m:net()
    local n = net:parameters():numel()
    local o = core.optimizer(net, { kind = "sgd", eta = 0.01, momentum = 0.5 })
    local set = { x = o:state():view(n, 1), y = lunet.zeros(n, 1, "float64") }
    local before = net:parameters():clone()
    assert.matches("the data set's x shares storage with the optimizer's state",
      H.err(core.train_epoch, net, o, set, 10, { progress = false }))
    assert.are.equal(0, H.maxdiff(before:totable(), net:parameters():totable()))
  end)

  it("is taken once copied", function()
    local m = wide()
    local net = m:net()
    local n = net:parameters():numel()
    local f = lunet.optim.objective(m, { x = net:gradients():view(n, 1):clone(), y = lunet.zeros(n, 1, "float64") })
    assert.is_true(f(lunet.optim.get_params(m)) >= 0)
  end)
end)

describe("Sutskever's momentum schedule", function()
  it("with 2^63 - 1 updates an epoch stays at mu_max (epoch 3's count wrapped around: -inf)", function()
    local s = lunet.train.sutskever(0.99, math.maxinteger)
    for _, epoch in ipairs { 2, 3, 10, 1000 } do assert.are.equal(0.99, s(epoch), "epoch " .. epoch) end
    assert.are.equal(0.5, s(1))
    assert.are.equal(0.99, lunet.train.momentum_at(s, 3))
  end)
end)

describe("lunet.train.sgd's learning-rate schedule and early stopping", function()
  local function run(o)
    local set = { x = lunet.rand(8, 4), y = lunet.tensor({ 0, 1, 2, 0, 1, 2, 0, 1 }) }
    local t = { epochs = 3, eta = 0.1, evaluation_data = set, monitor_evaluation_accuracy = true, verbose = false,
      progress = false }
    for k, v in pairs(o) do t[k] = v end
    return lunet.train.sgd(model(), set, t)
  end

  it("refuse values no schedule has (they had been taken: factor 2 grew eta, a string read as defaults)", function()
    local cases = {
      { { patience = 0 }, "schedule.patience must be a positive integer %(epochs%), got 0" },
      { { patience = 1.5 }, "schedule.patience must be a positive integer" },
      { { factor = 2 }, "schedule.factor must be a number in %(0, 1%)" },
      { { factor = 0 / 0 }, "schedule.factor must be a number in %(0, 1%)" },
      { { stop_ratio = 0.5 }, "schedule.stop_ratio must be a number > 1" },
      { { patienc = 2 }, "schedule: unknown option 'patienc' %(valid: factor, patience, stop_ratio%); did you mean "
        .. "'patience'%?" },
      { { [1] = 2 }, "schedule: option keys must be names" },
      { "patience", "schedule must be a table {patience =, factor =, stop_ratio =}, got string" },
      { true, "schedule must be a table" },
    }
    for i, c in ipairs(cases) do
      assert.matches(c[2], H.err(run, { schedule = c[1] }), nil, "case " .. i)
    end
    for _, v in ipairs { 0, -1, 1.5, "3", 0 / 0 } do
      assert.matches("early_stopping must be a positive integer", H.err(run, { early_stopping = v }), nil, tostring(v))
    end
  end)

  it("take what they did", function()
    local _, _, _, _, h = run { schedule = { patience = 1, factor = 0.25, stop_ratio = math.huge }, early_stopping = 2 }
    assert.is_truthy(h.stopped)
    for _, s in ipairs { false, {} } do run { schedule = s } end
    run { early_stopping = false }
  end)
end)

describe("an L2 lambda whose lambda / n overflows float32", function()
  it("is refused for a float32 network by the objective and the Hessian product (hv came back inf and NaN)", function()
    local m = model()
    local d = data()
    local f, w = lunet.optim.objective(m, d, { lambda = 1e300 })
    local before = m:net():parameters():clone()
    assert.matches("lambda / n = 1%.66667e%+299 is infinite in float32", H.err(f, w))
    assert.are.equal(0, H.maxdiff(before:totable(), m:net():parameters():totable()))   -- nothing changed
    assert.matches("lambda / n = 1%.66667e%+299 is infinite in float32",
      H.err(lunet.optim.hvp, m, d, w, { lambda = 1e300 }))
    assert.matches("lambda / n = 1%.66667e%+299 is infinite in float32",
      H.err(core.hvp, m:net(), d, lunet.zeros(w:numel()), { lambda = 1e300, reg = "l2" }))
    -- a float64 network takes it: its coefficient is a double
    local m64 = nn.Sequential({ nn.Linear(4, 3), nn.Softmax() }, { input = { 4 }, cost = "log_likelihood",
      dtype = "float64" })
    local f64, w64 = lunet.optim.objective(m64, d, { lambda = 1e300 })
    assert.is_true(f64(w64) > 1e290)
    assert.is_true(lunet.optim.hvp(m64, d, w64, { lambda = 1e300 }):all_finite())
  end)
end)
