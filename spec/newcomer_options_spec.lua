-- What a newcomer following docs/reference.md literally tripped on: option
-- values the docs call true/false, tables or names that were taken as
-- given and failed later inside the trainer ("attempt to index a number
-- value"), or never (verbose = 1, reg = "l3" without lambda, an unknown
-- key of schedule or of network3's SGD options); and a refused cost name
-- that stayed behind as the model's cost.
local lunet = require "lunet"
local nn = require "lunet.nn"
local H = require "spec.helpers"

local model, data = H.softmax_model, H.softmax_data

local function opts(t) return H.sgd_opts(t) end

-- The error must name lunet.train.sgd and blame this file, not lunet's own.
local function refused(pattern, t)
  local err = H.err(lunet.train.sgd, model(), data(), opts(t))
  assert.truthy(err:find("lunet.train.sgd: " .. pattern, 1, true), ("expected %q in: %s"):format(pattern, err))
  assert.falsy(err:find("lua/lunet/", 1, true), err)
end

local function accepted(t)
  local ok, err = pcall(lunet.train.sgd, model(), data(), opts(t))
  assert.is_true(ok, tostring(err))
end

describe("lunet.train.sgd option values as the reference manual gives them", function()
  it("true/false options refuse other values", function()
    for _, k in ipairs { "verbose", "progress", "nesterov", "interruptible", "monitor_evaluation_cost",
      "monitor_evaluation_accuracy", "monitor_training_cost", "monitor_training_accuracy" } do
      refused(("option '%s' must be true or false, got number"):format(k), { [k] = 1, evaluation_data = data() })
      refused(("option '%s' must be true or false, got string"):format(k), { [k] = "yes", evaluation_data = data() })
      accepted { [k] = false, evaluation_data = data() }
    end
  end)

  it("gradient_norms and saturation: true, false or their table, whose keys are checked", function()
    refused("gradient_norms must be true, false or {data = set}, got number", { gradient_norms = 1 })
    refused("gradient_norms: unknown option 'dat'", { gradient_norms = { dat = data() } })
    refused("gradient_norms data: a data set", { gradient_norms = { data = 3 } })
    refused("saturation: unknown option 'esp'", { saturation = { esp = 0.1 } })
    accepted { gradient_norms = { data = data() } }
    accepted { gradient_norms = true, saturation = { eps = 0.1 } }
  end)

  it("schedule: a table of patience, factor and stop_ratio", function()
    local e = { evaluation_data = data() }
    local function with(s)
      local t = { schedule = s }
      for k, v in pairs(e) do t[k] = v end
      return t
    end
    refused("schedule must be a table {patience =, factor =, stop_ratio =}, got number", with(5))
    refused("schedule must be a table", with(true))
    refused("schedule: unknown option 'patiense'", with { patiense = 3 })
    for _, v in ipairs { 0, -1, 2.5, "3" } do
      refused("schedule.patience must be a positive integer", with { patience = v })
    end
    for _, v in ipairs { 0, 1, 2, "0.5" } do
      refused("schedule.factor must be a number in (0, 1)", with { factor = v })
    end
    for _, v in ipairs { 1, 0.5, 0 / 0, "4" } do
      refused("schedule.stop_ratio must be a number > 1", with { stop_ratio = v })
    end
    accepted(with { stop_ratio = math.huge })   -- eta is never small enough to stop
    accepted(with { patience = 1, factor = 0.25, stop_ratio = 4 })
    accepted(with {})
  end)

  it("early_stopping, reg, on_epoch and out", function()
    for _, v in ipairs { 0, -2, 1.5, "x" } do
      refused("early_stopping must be a positive integer", { early_stopping = v, evaluation_data = data() })
    end
    accepted { early_stopping = 1, evaluation_data = data() }
    local l3 = 'reg must be "l2" or "l1", got the string \'l3\''
    refused(l3, { reg = "l3" })          -- lambda 0: it was never looked at
    refused(l3, { reg = "l3", lambda = 1 })
    accepted { reg = "l1" }
    refused("on_epoch must be a function", { on_epoch = 3 })
    refused("out must be a file (io.stdout) or a table with write and flush, got number", { out = 3, verbose = true })
  end)
end)

describe("network3's SGD options", function()
  local function net3()
    lunet.seed(3)
    local n3 = lunet.network3
    return n3.Network({ n3.FullyConnectedLayer { n_in = 4, n_out = 3 }, n3.SoftmaxLayer { n_in = 3, n_out = 3 } }, 3)
  end

  it("refuse an unknown key, as the reference manual says every option table does", function()
    local net = net3()
    local err = H.err(net.SGD, net, data(), 1, 3, 0.1, data(), nil, 0, { progress = false, momentun = 0.9 })
    assert.truthy(err:find("network3.Network:SGD: unknown option 'momentun'", 1, true), err)
    assert.truthy(err:find("did you mean 'momentum'", 1, true), err)
    err = H.err(net.SGD, net, data(), 1, 3, 0.1, nil, nil, 0, { on_epoch = "print" })
    assert.truthy(err:find("network3.Network:SGD: on_epoch must be a function", 1, true), err)
    local silent = { write = function() end, flush = function() end }
    assert.is_true((pcall(net.SGD, net, data(), 1, 3, 0.1, data(), nil, 0, { progress = false, out = silent })))
  end)
end)

describe("model:set_cost", function()
  it("refuses an unknown name at the caller's line and keeps the cost it had", function()
    local m = model()
    local err = H.err(m.set_cost, m, "hinge")
    assert.truthy(err:find("set_cost: unknown cost 'hinge' (cross_entropy, quadratic, log_likelihood)", 1, true), err)
    assert.falsy(err:find("lua/lunet/", 1, true), err)
    assert.equal("log_likelihood", m:cost())
    H.err(m.set_cost, m, nil)
    assert.equal("log_likelihood", m:cost())
    local unbuilt = nn.Sequential({ nn.ReLU() })
    H.err(unbuilt.set_cost, unbuilt, "mse")
    assert.is_nil(unbuilt:cost())
    assert.equal("quadratic", m:set_cost("quadratic"):cost())
  end)
end)

describe("a layer on its own at the prompt", function()
  it("prints as its description before it is built, not as its bare class name", function()
    assert.equal("Linear(784 -> 30)", tostring(nn.Linear(784, 30)))
    assert.equal("Dropout(0.3)", tostring(nn.Dropout(0.3)))
    assert.equal("Conv2d(1 -> 20, 5x5)", tostring(nn.Conv2d(1, 20, 5)))
    assert.equal("MaxPool(2x2)", tostring(nn.MaxPool(2)))
    assert.equal("ReLU", tostring(nn.ReLU()))
    local built = nn.Linear(3, 2):build()
    assert.equal("Linear(3 -> 2, 8 parameters)", tostring(built))
  end)
end)

describe("a ragged table given to lunet.tensor", function()
  it("is described in plain words", function()
    local err = H.err(lunet.tensor, { { 1, 2 }, { 3 } })
    assert.truthy(err:find("tensor: ragged table: a list at depth 2 has length 1 where 2 was expected", 1, true), err)
    err = H.err(lunet.tensor, { { { 1 }, { 2 } }, { { 3 }, { 4, 5 } } })
    assert.truthy(err:find("a list at depth 3 has length 2 where 1 was expected", 1, true), err)
  end)
end)

describe("a network of step units given to gradient training", function()
  it("is refused as the README says, naming the function called and blaming the caller's line", function()
    local net = lunet.Network { 2, 2, 1, activation = "step", cost = "quadratic" }
    local set = { x = lunet.zeros(2, 2), y = lunet.zeros(2, 1) }
    local before = net.weights[1]:clone()
    for _, case in ipairs {
      { "Network:SGD: layer 2 is a step activation", net.SGD, net, set, 1, 1, 0.1, { progress = false } },
      { "lunet.train.sgd: layer 2 is a step activation", lunet.train.sgd, net, set,
        { epochs = 1, eta = 0.1, progress = false } },
      { "lunet.train.gradient_norms: layer 2 is a step activation", net.gradient_norms, net, set },
    } do
      local err = H.err(table.unpack(case, 2))
      assert.truthy(err:find(case[1], 1, true), err)
      assert.falsy(err:find("train_epoch", 1, true), err)
      assert.falsy(err:find("lua/lunet/", 1, true), err)
    end
    assert.equal(0, (net.weights[1] - before):abs():max())
  end)
end)

describe("LUNET_THREADS", function()
  -- lunet.threads() in a fresh process with the variable set (or unset)
  local function threads(value)
    local env = value and ("LUNET_THREADS='" .. value .. "'") or "-u LUNET_THREADS"
    local p = io.popen((os.getenv("LUNET_ASAN") and "env " or "env -u LD_PRELOAD ") .. env
      .. " LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./?.so;;' lua5.4 -e "
      .. "'print(require(\"lunet\").threads())' 2>&1")
    local out = p:read("a")
    p:close()
    return assert(tonumber(out:match("^(%d+)")), out)
  end

  it("is ignored when it is not a whole number, as if unset (it meant one thread)", function()
    local cores = threads(nil)
    for _, v in ipairs { "two", "", "2x", " " } do assert.equal(cores, threads(v), v) end
    assert.equal(1, threads("1"))
    assert.equal(3, threads("3"))
    assert.equal(16, threads("99"))
  end)
end)

describe("help for the objects a model hands out", function()
  it("finds the network of model:net() and an optimizer, and their methods", function()
    local doc = require "lunet.doc"
    local m = lunet.Network { 4, 3, 2 }
    local opt = lunet.optim.optimizer(m, { kind = "adam" })
    assert.equal("lunet.optim.Optimizer", doc.get(opt).name)
    assert.truthy(doc.get(opt.step).signature:find("opt:step(net)", 1, true))
    assert.equal("lunet.nn.Net", doc.get(m:net()).name)
    assert.truthy(doc.get(m:net().parameters).signature:find("net:parameters()", 1, true))
    assert.same({ "lunet.optim.Optimizer.set_eta" }, doc.find("set_eta"))
    -- help(object) lists its class's methods, as the README says
    local lines, saved = {}, _G.print
    _G.print = function(s) lines[#lines + 1] = s end
    local ok, err = pcall(function()
      doc.help(opt)
      doc.help(m:net())
    end)
    _G.print = saved
    assert(ok, err)
    local text = table.concat(lines, "\n")
    local want = "members: check, eta, get, kind, set, set_eta, state, step, steps, velocity"
    assert.truthy(text:find(want, 1, true), text)
    assert.truthy(text:find("members: backward, clone, close, forward,", 1, true), text)
  end)
end)

describe("tune's configurations", function()
  local small = { x = lunet.rand(20, 4), y = lunet.tensor { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
    0, 1 } }

  it("refuse a misspelt key up front with the default model, which would drop it", function()
    -- named as the function called, before its directory is made
    local dir = os.tmpname()
    os.remove(dir)
    local o = { training = small, validation = small, epochs = 1, verbose = false, jobs = 1, dir = dir }
    local err = H.err(lunet.tune.run, { { eta = 0.1 }, { etaa = 0.1 } }, o)
    assert.truthy(err:find("lunet.tune.run: configuration 2: unknown key 'etaa'", 1, true), err)
    assert.truthy(err:find("did you mean 'eta'?", 1, true), err)
    err = H.err(lunet.tune.grid, { etaa = { 0.1 } }, o)
    assert.truthy(err:find("lunet.tune.grid: space: unknown key 'etaa'", 1, true), err)
    err = H.err(lunet.tune.random, { eta = { 0.1 }, hiden = { 3 } }, { trials = 1, training = small,
      validation = small, epochs = 1, verbose = false, jobs = 1, dir = dir })
    assert.truthy(err:find("lunet.tune.random: space: unknown key 'hiden'", 1, true), err)
    o.model = false   -- the default model, as nil
    err = H.err(lunet.tune.grid, { etaa = { 0.1 } }, o)
    assert.truthy(err:find("lunet.tune.grid: space: unknown key 'etaa'", 1, true), err)
    assert.is_nil(io.open(dir))
  end)

  it("take any key when the model function is one's own", function()
    local r = lunet.tune.grid({ eta = { 0.1 }, width = { 3 } }, { training = small, validation = small,
      epochs = 1, verbose = false, jobs = 1, model = function(c) return lunet.Network { 4, c.width, 2 } end })
    assert.is_nil(r[1].error)
    os.execute("rm -rf '" .. r.dir .. "'")
  end)
end)

describe("the book's total_cost and the evaluations", function()
  it("check lambda and reg, naming the function called", function()
    local net = lunet.Network { 4, 2 }
    local d = { x = lunet.rand(3, 4), y = lunet.tensor { 0, 1, 1 } }
    local function refused_by(text, ...)
      local err = H.err(...)
      assert.truthy(err:find(text, 1, true), err)
      assert.falsy(err:find("lua/lunet/", 1, true), err)
    end
    refused_by("Network:total_cost: lambda must be a finite number >= 0, got the string '5'", net.total_cost, net, d,
      "5")
    refused_by("Network:total_cost: lambda must be a finite number >= 0, got -1", net.total_cost, net, d, -1)
    refused_by("Network:total_cost: data: a data set", net.total_cost, net, d.x)
    local l3 = 'reg must be "l2" or "l1", got the string \'l3\''
    refused_by("lunet.train.evaluate: " .. l3, lunet.train.evaluate, net, d, 1, "l3")
    refused_by("Network:evaluate: " .. l3, net.evaluate, net, d, { lambda = 1, reg = "l3" })
    assert.is_true(net:total_cost(d, 1) > net:total_cost(d))
  end)
end)

describe("a method called with a dot instead of a colon", function()
  it("says so, naming the method, instead of failing inside lunet or doing something else", function()
    local set = data()
    local net = lunet.Network { 4, 3, 3 }
    local m = model()
    local n3 = lunet.network3.Network({ lunet.network3.SoftmaxLayer { n_in = 4, n_out = 3 } }, 3)
    for _, case in ipairs {
      { "Network:SGD: call it with a colon, net:SGD(...), not net.SGD(...): it got a table", net.SGD, set, 1, 3, 0.1 },
      { "Network:feedforward: call it with a colon", net.feedforward, set.x },
      { "Network:total_cost: call it with a colon", net.total_cost, set },
      { "model:accuracy: call it with a colon, model:accuracy(...)", net.accuracy, set },
      { "model:forward: call it with a colon, model:forward(...), not model.forward(...): it got a tensor",
        m.forward, set.x },
      { "model:predict: call it with a colon", m.predict, set.x },
      { "model:save: call it with a colon", m.save, "x.lunet" },
      { "model:clone: call it with a colon", m.clone },
      { "network3.Network:SGD: call it with a colon", n3.SGD, set, 1, 3, 0.1 },
      { "lunet.train.sgd: the first argument must be a model", lunet.train.sgd, nil, set, { epochs = 1, eta = 1 } },
      { "lunet.train.correct: the first argument must be a model", lunet.train.correct, "net", set },
    } do
      local err = H.err(table.unpack(case, 2))
      assert.truthy(err:find(case[1], 1, true), err)
      assert.falsy(err:find("lua/lunet/", 1, true), err)
    end
    -- model.evaluate(set) took the data set for the model and switched it to evaluation mode
    local err = H.err(m.evaluate, set)
    assert.truthy(err:find("model:evaluate: call it with a colon", 1, true), err)
    assert.is_nil(rawget(set, "_train"))
  end)
end)

describe("an unknown init or dtype", function()
  it("is named by the function the user called", function()
    for _, case in ipairs {
      { "Network: unknown init 'glorot'", lunet.Network, { 4, 3, 2, init = "glorot" } },
      { "Network: unknown dtype 'float16'", lunet.Network, { 4, 3, 2, dtype = "float16" } },
      { "nn.Linear: unknown init 'big'", nn.Linear, 4, 3, { init = "big" } },
      { "nn.Conv2d: unknown init 'big'", nn.Conv2d, 1, 2, 3, { init = "big" } },
      { "nn.init_stds: unknown init 'big'", nn.init_stds, "big", 4, 3 },
    } do
      local err = H.err(table.unpack(case, 2))
      assert.truthy(err:find(case[1], 1, true), err)
      assert.falsy(err:find("lua/lunet/", 1, true), err)
    end
    assert.equal("float64", lunet.Network({ 4, 2 }, { dtype = "double" }):dtype())
  end)
end)

describe("an index 0", function()
  it("says that lunet counts from 1", function()
    local t = lunet.tensor { { 1, 2 }, { 3, 4 } }
    for _, f in ipairs {
      function() return t[0] end,
      function() return t[{ 1, 0 }] end,
      function() t[0] = 1 end,
      function() return t:select(1, 0) end,
      function() return t:flat(0) end,
      function() return t:sum(0) end,
    } do
      local err = H.err(f)
      assert.truthy(err:find("0 out of range 1..%d; lunet counts from 1"), err)
    end
    assert.falsy(H.err(function() return t[3] end):find("counts from", 1, true))
    -- t:size's message named the core's raw_size and blamed lunet's shape.lua
    local err = H.err(t.size, t, 0)
    assert.truthy(err:find("size: dimension 0 out of range 1..2; lunet counts from 1", 1, true), err)
    assert.falsy(err:find("raw_size", 1, true) or err:find("lua/lunet/", 1, true), err)
  end)
end)
