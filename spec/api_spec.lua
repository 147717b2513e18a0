-- One consistent API (issue 11): scoring every model kind the same way,
-- labels against predictions across dtypes, Network's activations, and
-- errors that name the called function once and blame the caller's line.
local lunet = require "lunet"
local H = require "spec.helpers"
local nn = lunet.nn

local QUIET = { verbose = false, progress = false }

local function with(t, extra)
  local o = {}
  for k, v in pairs(t) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

-- Two separable classes in 4 dimensions.
local function blobs(n, seed)
  lunet.seed(seed)
  local x, y = lunet.randn(n, 4), lunet.zeros(n)
  for i = 1, n do
    if x[{ i, 1 }] + x[{ i, 2 }] > 0 then y[i] = 1 end
  end
  return { x = x, y = y, n = n }
end

-- Where an error was raised: "file:line:" at its start.
local function where(msg)
  return msg:match("^([^:]+):%d+: ")
end

local function line_of(msg)
  return tonumber(msg:match("^[^:]+:(%d+): "))
end

local THIS = debug.getinfo(1, "S").short_src

describe("scoring any model", function()
  local data = blobs(200, 1)

  local function check_model(model)
    lunet.train.sgd(model, data, with(QUIET, { epochs = 20, batch = 10, eta = 0.5 }))
    local acc = model:accuracy(data)
    assert.are.equal("float", math.type(acc))
    assert.is_true(acc > 0.9 and acc <= 1, "accuracy " .. acc)
    local cost, acc2 = model:evaluate(data)
    assert.are.equal(acc, acc2)
    local c_train = lunet.train.evaluate(model, data)
    H.near(cost, c_train, 1e-12)
    local labels = model:predict(data.x)
    assert.are.same({ 200 }, labels:shape())
    -- predicted labels (float64) compare with float32 labels directly
    assert.are.equal(acc, labels:eq(data.y):sum() / 200)
    local one = model:predict(data.x[1])
    assert.are.equal(labels[1], one)
    assert.are.same({ 200, 2 }, model:output(data.x):shape())
    -- the penalty: lambda adds to the cost, not to the accuracy
    local cost_l, acc_l = model:evaluate(data, { lambda = 1 })
    assert.is_true(cost_l > cost)
    assert.are.equal(acc, acc_l)
  end

  it("Network", function()
    check_model(lunet.Network { 4, 8, 2 })
  end)

  it("Sequential", function()
    check_model(nn.Sequential({ nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2), nn.Softmax() },
      { cost = "log_likelihood" }))
  end)

  it("network3", function()
    local n3 = lunet.network3
    check_model(n3.Network({ n3.FullyConnectedLayer { n_in = 4, n_out = 8, activation = n3.ReLU },
      n3.SoftmaxLayer { n_in = 8, n_out = 2 } }, 10))
  end)

  it("a model without a cost still has an accuracy, but no evaluate", function()
    local model = nn.Sequential { nn.Linear(4, 2) }
    local acc = model:accuracy(data)
    assert.are.equal(model:predict(data.x):eq(data.y):sum() / 200, acc)
    assert.matches("has no cost", H.err(model.evaluate, model, data))
  end)

  it("evaluate() without a data set is still Torch's evaluation mode", function()
    local model = nn.Sequential { nn.Linear(4, 2), nn.Dropout(0.5) }
    model:training()
    assert.are.equal(model, model:evaluate())
    assert.is_false(model._train)
  end)

  it("Network:SGD keeps the book's counts, the history fractions", function()
    local net = lunet.Network { 4, 8, 2 }
    local _, ea, _, _, h = net:SGD(data, 2, 10, 0.5, with(QUIET, { evaluation_data = data,
      monitor_evaluation_accuracy = true }))
    assert.are.equal("integer", math.type(ea[2]))
    assert.are.equal(ea[2] / 200, h.evaluation_accuracy[2])
    assert.are.equal(ea[2] / 200, net:accuracy(data))
  end)

  it("train.sgd takes the book's mini_batch_size, not together with batch", function()
    local b = lunet.Network { 4, 3, 2 }
    local b2 = b:clone()
    lunet.seed(5)
    lunet.train.sgd(b, data, with(QUIET, { epochs = 1, eta = 0.1, batch = 7 }))
    lunet.seed(5)
    lunet.train.sgd(b2, data, with(QUIET, { epochs = 1, eta = 0.1, mini_batch_size = 7 }))
    H.near(b.weights[1], b2.weights[1], 0)
    assert.matches("batch or mini_batch_size, not both",
      H.err(lunet.train.sgd, b, data, with(QUIET, { epochs = 1, eta = 0.1, batch = 7, mini_batch_size = 7 })))
  end)
end)

describe("comparisons across dtypes", function()
  it("compare the numbers, whatever the dtypes", function()
    local a = lunet.tensor({ 0, 1, 2, 0.1 })
    local b = lunet.tensor({ 0, 1, 3, 0.1 }, "float64")
    -- float32 0.1 is not float64 0.1: the numbers differ, and so does the answer
    assert.are.same({ 1, 1, 0, 0 }, a:eq(b):totable())
    assert.are.same({ 1, 1, 0, 0 }, b:eq(a):totable())
    assert.are.same({ 0, 0, 1, 1 }, a:ne(b):totable())
    assert.are.same({ 0, 0, 1, 0 }, a:lt(b):totable())
    assert.are.equal("float64", a:eq(b):dtype())
    -- arithmetic still asks for one dtype
    assert.matches("dtype mismatch", H.err(function() return a:add(b) end))
  end)
end)

describe("Network activations", function()
  local function kinds(net)
    local out = {}
    for i, l in ipairs(net:layers()) do
      if i % 2 == 0 then out[#out + 1] = tostring(l) end
    end
    return out
  end

  it("name the hidden layers; the output follows the cost", function()
    assert.are.same({ "Tanh", "Tanh", "Sigmoid" }, kinds(lunet.Network { 4, 5, 5, 2, activation = "tanh" }))
    assert.are.same({ "ReLU", "Softmax" }, kinds(lunet.Network { 4, 5, 2, activation = "relu",
      cost = "log_likelihood" }))
    assert.are.same({ "Tanh", "Tanh" }, kinds(lunet.Network { 4, 5, 2, activation = "tanh", cost = "quadratic" }))
    assert.are.same({ "Tanh", "Identity" }, kinds(lunet.Network { 4, 5, 2, activation = "tanh", cost = "quadratic",
      output = "identity" }))
    assert.are.same({ "ReLU", "Sigmoid" }, kinds(lunet.Network { 4, 5, 2, activation = { "relu", "sigmoid" } }))
  end)

  it("speak the Network's words when they do not fit the cost", function()
    local msg = H.err(function()
      local net = lunet.Network({ 4, 5, 2 }, { activation = "tanh", output = "relu" })
      return net
    end)
    local at = "^" .. THIS:gsub("%p", "%%%0")
    assert.matches(at .. ":%d+: Network: the cross%-entropy cost needs a sigmoid output", msg)
    assert.is_nil(msg:find("Layer", 1, true))
    assert.matches("softmax output layer goes with cost",
      H.err(lunet.Network, { 4, 2 }, { output = "softmax" }))
  end)
end)

describe("errors", function()
  it("name the function once", function()
    local a = lunet.zeros(2, 3)
    local msg = H.err(function() return a:matmul(a) end)
    assert.matches("matmul: shapes 2x3 and 2x3", msg)
    assert.is_nil(msg:find("matmul: matmul", 1, true))
    msg = H.err(function() return lunet.matmul(a, a) end)
    assert.is_nil(msg:find("matmul: matmul", 1, true))
    assert.matches("zeros: tensor of that shape is too large", H.err(function()
      return lunet.zeros(2 ^ 40, 2 ^ 40, 2 ^ 40)
    end))
    assert.matches("zeros: too many dimensions", H.err(function() return lunet.zeros(1, 1, 1, 1, 1, 1, 1, 1, 1) end))
  end)

  it("show both shapes of a broadcast that does not fit in place", function()
    local msg = H.err(function() return lunet.zeros(3, 1):add_(lunet.zeros(3, 2)) end)
    assert.matches("add_: the operands broadcast to shape 3x2, which does not fit the result's shape 3x1", msg)
  end)

  it("blame the caller's line, not a line inside lunet", function()
    local sgd = lunet.train.sgd
    local big, y2 = lunet.Network { 4, 2 }, lunet.zeros(2)
    local check = lunet.gradcheck
    local cases = {
      { "Sequential: layer 2 %(dense%)", function()
        local r = nn.Sequential { nn.Linear(4, 2), nn.Linear(3, 1) }; return r
      end, 1 },
      { "lunet.train.sgd: epochs must be", function() sgd(lunet.Network { 4, 2 }, blobs(10, 2), { eta = 1 }) end },
      { "Network:SGD: training data: inputs of shape 10x5", function()
        lunet.Network { 4, 2 }:SGD({ x = lunet.zeros(10, 5), y = lunet.zeros(10) }, 1, 10, 0.1, QUIET)
      end, 1 },
      { "Network: unknown option 'inti'", function() local r = lunet.Network({ 4, 2 }, { inti = 1 }); return r end },
      { "nn.Linear: unknown option", function() local r = nn.Linear(2, 2, { inti = 1 }); return r end },
      { "Network:accuracy: expected a data set", function() local r = lunet.Network{ 4, 2 }:accuracy(7); return r end },
      { "Network:evaluate: unknown option", function()
        local r = lunet.Network { 4, 2 }:evaluate(blobs(10, 2), { l = 1 }); return r
      end, 1 },
      { "matmul: shapes", function() local r = lunet.zeros(2, 3):matmul(lunet.zeros(2, 3)); return r end },
      { "Network:forward: expected a batch", function() local r = big:forward(lunet.ones(2, 5)); return r end },
      { "Network:predict: expected a batch", function() local r = big:predict(lunet.ones(2, 5)); return r end },
      { "Network:accuracy: inputs of shape 2x5", function()
        local r = lunet.Network { 4, 2 }:accuracy { x = lunet.ones(2, 5), y = lunet.zeros(2) }; return r
      end, 1 },
      { "Network:save: cannot write", function() local r = big:save("/nonexistent/x"); return r end },
      { "gradcheck: input does not match", function() local r = check(big, lunet.ones(2, 5), y2); return r end },
      { "perceptron.truth_table: n must be", function() local r = lunet.perceptron.truth_table(0); return r end },
      { "universality.bump: ", function() local r = lunet.universality.bump(0.4, 0.6, 0 / 0); return r end },
      { "data.take: n must be", function() local r = lunet.data.take(blobs(10, 2), 0); return r end },
      { "data.filter: classes must be", function() local r = lunet.data.filter(blobs(10, 2), {}); return r end },
      { "lunet.diagnose.trace: ", function() local r = lunet.diagnose.trace(big, 7); return r end },
    }
    -- (the cases avoid tail calls, which leave no frame of the caller to blame)
    for _, c in ipairs(cases) do
      local line = debug.getinfo(c[2], "S").linedefined + (c[3] or 0)
      local msg = H.err(c[2])
      assert.matches(c[1], msg)
      assert.are.equal(THIS, where(msg), msg)
      assert.are.equal(line, line_of(msg), msg)
      assert.is_nil(msg:find("lua/lunet/", 1, true), msg)
    end
  end)
end)

describe("the progress bar", function()
  it("shows the rate and the time left in the epoch and in the run, on a terminal", function()
    local have_script = os.execute("command -v script >/dev/null 2>&1")
    assert.is_true(have_script == true, "script (util-linux) is needed to give the run a terminal")
    local code = "local l = require 'lunet'; l.seed(1); local x = l.rand(20000, 20); "
      .. "l.Network{20, 30, 2}:SGD({x = x, y = l.zeros(20000)}, 3, 1, 0.1, {verbose = false})"
    -- (under make asan the sanitizer runtime stays preloaded, as in examples_spec)
    local env = os.getenv("LUNET_ASAN") and "" or "env -u LD_PRELOAD "
    local cmd = ("%sscript -qec %q /dev/null 2>&1"):format(env, "bin/lunet -e \"" .. code .. "\"")
    local p = io.popen(cmd)
    local out = p:read("a")
    p:close()
    assert.matches("epoch 1/3 %[[#.]+%] +%d+%% +[%d.]+[kM]? samples/s, ETA [%d.]+s +, run [%d.]+s", out)
    -- the last epoch has no run left to show
    assert.matches("epoch 3/3 %[[#.]+%] +%d+%% +[%d.]+[kM]? samples/s, ETA [%d.]+s *\r", out)
  end)
end)
