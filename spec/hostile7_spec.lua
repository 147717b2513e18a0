-- lunet's optimisation API under hostile input, seventh round: optimizer
-- objects changed by a call that was then refused.
local lunet = require "lunet"
local nn = lunet.nn
local H = require "spec.helpers"

local model, data = H.softmax_model, H.softmax_data

local QUIET = { verbose = false, progress = false }

local function with(o)
  for k, v in pairs(QUIET) do o[k] = v end
  return o
end

describe("an optimizer object given to a training call that is refused", function()
  it("keeps its eta and momentum (the call had set them before its later checks failed)", function()
    local m, d = model(), data()
    local adam = lunet.optim.optimizer(m, { kind = "adam", eta = 0.01 })
    assert.matches("monitor_every needs evaluation_data",
      H.err(lunet.train.sgd, m, d, with { epochs = 1, optimizer = adam, eta = 5, monitor_every = 10 }))
    assert.are.equal(0.01, adam:eta())
    local sgd = lunet.optim.optimizer(m, { kind = "sgd", eta = 0.01, momentum = 0.5 })
    assert.matches("gradient_norms data",
      H.err(lunet.train.sgd, m, d, with { epochs = 1, optimizer = sgd, eta = 0.3, gradient_norms = { data = {} } }))
    assert.are.equal(0.01, sgd:eta())
    local missing = os.tmpname()
    os.remove(missing)
    local err = H.err(lunet.train.sgd, m, d, with { epochs = 1, optimizer = sgd, eta = 0.3,
      momentum = function() return 0.7 end, resume = missing })
    assert.matches("resume: cannot open", err)
    assert.are.equal(0.01, sgd:eta())
    assert.are.equal(0.5, sgd:get("momentum"))
  end)

  it("takes them when the call runs, and a run resumed with them continues", function()
    local m, d = model(), data()
    local sgd = lunet.optim.optimizer(m, { kind = "sgd", eta = 0.01, momentum = 0.5 })
    local path = os.tmpname()
    local _, _, _, _, h = lunet.train.sgd(m, d, with { epochs = 1, optimizer = sgd, eta = 0.2,
      momentum = function() return 0.6 end, checkpoint = path })
    assert.are.equal(0.2, sgd:eta())
    assert.are.equal(0.6, sgd:get("momentum"))
    assert.are.same({ 0.2 }, h.eta)
    _, _, _, _, h = lunet.train.sgd(m, d, with { epochs = 2, optimizer = sgd, eta = 0.2,
      momentum = function() return 0.6 end, resume = path })
    os.remove(path)
    assert.are.same({ 1, 2 }, h.epoch)
  end)
end)

describe("a resealed trainer text whose history lists hold what a run never writes", function()
  local core = require "lunet.core"
  local tmp
  before_each(function() tmp = H.tmpname(".ckpt") end)
  after_each(function() os.remove(tmp) end)

  -- The checkpoint at path with its trainer text replaced, checksum resealed.
  local function with_text(path, text)
    local bytes, old = H.read(path), core.checkpoint_text(path)
    local prefix = bytes:sub(1, #bytes - 4 - #old - 8)
    local body = prefix .. string.pack("<I8", #text) .. text
    H.write(path, body .. string.pack("<I4", H.crc32(body)))
  end

  local d = data()
  local extra = { monitor_every = 2, monitor_data = d, gradient_norms = true, saturation = true,
    momentum = function() return 0.5 end, evaluation_data = d, monitor_evaluation_accuracy = true }
  local function options(t)
    local o = H.sgd_opts(t, 2)
    for k, v in pairs(extra) do o[k] = v end
    return o
  end

  -- {pattern, replacement, lines to drop}: each had failed inside the first
  -- epoch with "attempt to index a number value" and the like, the network
  -- and optimizer restored by then
  local cases = {
    { "root.history.seconds.1 n:[^\n]*", "root.history.seconds.1 s:x" },
    { "root.history.monitor t:", "root.history.monitor i:5", "root.history.monitor%.[^\n]*\n" },
    { "root.history.monitor.images t:", "root.history.monitor.images i:3", "root.history.monitor.images%.[^\n]*\n" },
    { "root.history.monitor t:", "root.history.monitor t:\nroot.history.monitor.extra i:1" },
    { "root.history.momentum t:", "root.history.momentum s:x", "root.history.momentum%.[^\n]*\n" },
    { "root.history.gradient_norms.bias.1 t:", "root.history.gradient_norms.bias.1 i:1",
      "root.history.gradient_norms.bias.1%.[^\n]*\n" },
    { "root.history.gradient_norms.epoch t:", "root.history.gradient_norms.epoch i:3",
      "root.history.gradient_norms.epoch%.[^\n]*\n" },
    { "root.history.saturation t:", "root.history.saturation b:true", "root.history.saturation%.[^\n]*\n" },
    { "root.history.epoch.1 i:1", "root.history.epoch.1 s:1" },
    { "root.book.1 t:", "root.book.1 t:\nroot.book.1.1 s:zz" },
  }

  it("is refused before anything is restored", function()
    for i, case in ipairs(cases) do
      lunet.train.sgd(model(), d, options { checkpoint = tmp })
      local text = core.checkpoint_text(tmp)
      local changed, n = text:gsub(case[1], case[2])
      assert.are.equal(1, n, "case " .. i)
      if case[3] then changed = changed:gsub(case[3], "") end
      with_text(tmp, changed)
      local fresh = model()
      fresh:flat_parameters():fill_(0.5)
      local err = H.err(lunet.train.sgd, fresh, d, options { resume = tmp, epochs = 2 })
      assert.matches("resume: .* does not hold a lunet training run", err, nil, "case " .. i)
      assert.are.equal(0, H.maxdiff(fresh:flat_parameters():totable(),
        lunet.zeros(fresh:flat_parameters():numel()):fill_(0.5):totable()), "case " .. i)
    end
  end)

  it("as saved, with every optional list, is still resumed", function()
    lunet.train.sgd(model(), d, options { checkpoint = tmp })
    local _, _, _, _, h = lunet.train.sgd(model(), d, options { resume = tmp, epochs = 2 })
    assert.are.same({ 1, 2 }, h.epoch)
    assert.are.equal(2, #h.momentum)
  end)
end)

describe("network3's best accuracies in a resealed checkpoint", function()
  local core = require "lunet.core"
  local n3 = require "lunet.network3"
  local sink = { write = function() end, flush = function() end }

  local function with_text(path, text)
    local bytes, old = H.read(path), core.checkpoint_text(path)
    local prefix = bytes:sub(1, #bytes - 4 - #old - 8)
    local body = prefix .. string.pack("<I8", #text) .. text
    H.write(path, body .. string.pack("<I4", H.crc32(body)))
  end

  local function net()
    lunet.seed(9)
    return n3.Network({ n3.FullyConnectedLayer { n_in = 4, n_out = 3 }, n3.SoftmaxLayer { n_in = 3, n_out = 3 } }, 2)
  end

  it("that no run holds are refused (NaN had come back as the best, a string failed in the epoch callback)",
    function()
      local tmp = H.tmpname(".ckpt")
      local d = data()
      for i, case in ipairs {
        { "root.history.network3.best n:[^\n]*", "root.history.network3.best n:nan" },
        { "root.history.network3.best n:[^\n]*", "root.history.network3.best s:x" },
        { "root.history.network3.best_epoch i:1", "root.history.network3.best_epoch n:0x1.8p+0" },
        { "root.history.network3 t:", "root.history.network3 i:4", "root.history.network3%.[^\n]*\n" },
      } do
        net():SGD(d, 1, 2, 0.1, d, d, 0, { checkpoint = tmp, progress = false, out = sink })
        local changed, n = core.checkpoint_text(tmp):gsub(case[1], case[2])
        assert.are.equal(1, n, "case " .. i)
        if case[3] then changed = changed:gsub(case[3], "") end
        with_text(tmp, changed)
        local err = H.err(net().SGD, net(), d, 2, 2, 0.1, d, d, 0, { resume = tmp, progress = false, out = sink })
        assert.matches("resume: .* does not hold a lunet training run", err, nil, "case " .. i)
      end
      net():SGD(d, 1, 2, 0.1, d, d, 0, { checkpoint = tmp, progress = false, out = sink })
      local best = net():SGD(d, 2, 2, 0.1, d, d, 0, { resume = tmp, progress = false, out = sink })
      os.remove(tmp)
      assert.is_true(best >= 0 and best <= 1)
    end)
end)

describe("minimize's x0 as a list", function()
  local function f(x) return 0.5 * x:dot(x), x:clone() end

  it("with an entry past the border rawlen finds is refused (it had been dropped, silently)", function()
    local t = {}
    for i = 1, 3 do t[i] = i end
    t[5] = 5
    assert.matches("x0 is a list of numbers with the keys 1..3 only, not 5", H.err(lunet.minimize, f, t))
    assert.matches("not 'x'", H.err(lunet.minimize, f, { 1, 2, x = 5 }))
    assert.matches("not 0", H.err(lunet.minimize, f, { [0] = 1, 2 }))
    local key = setmetatable({}, { __tostring = function() error("__tostring ran") end })
    assert.matches("not a table key", H.err(lunet.minimize, f, { 1, [key] = 2 }))
    assert.matches("x0 is empty", H.err(lunet.minimize, f, { x = 1 }))
  end)

  it("that is whole is taken", function()
    local x = lunet.minimize(f, { 1, 2, 3 })
    assert.are.equal(3, x:numel())
    assert.is_true(x:norm() < 1e-6)
  end)
end)

describe("an option value of the wrong type", function()
  local function f(x) return 0.5 * x:dot(x), x:clone() end
  local loud = setmetatable({}, { __tostring = function() error("__tostring ran") end })

  it("is shown by minimize as what it is: a string that looks like a number is no number", function()
    assert.matches("option eta must be a number, got the string '0.1'",
      H.err(lunet.minimize, f, { 1 }, { method = "gd", eta = "0.1" }))
    assert.matches("option m must be an integer, got the string '10'", H.err(lunet.minimize, f, { 1 }, { m = "10" }))
    assert.matches("option gtol must be a number, got a table", H.err(lunet.minimize, f, { 1 }, { gtol = loud }))
    assert.matches("option max_iter must be an integer, got a table",
      H.err(lunet.minimize, f, { 1 }, { max_iter = loud }))
    assert.matches("unknown method a table %(valid:", H.err(lunet.minimize, f, { 1 }, { method = loud }))
    assert.matches("unknown method 'adam' %(valid:", H.err(lunet.minimize, f, { 1 }, { method = "adam" }))
  end)

  it("never runs its __tostring in optim.objective's and optim.hvp's messages", function()
    local m, d = model(), data()
    assert.matches('reg must be "l2" or "l1", got a table', H.err(lunet.optim.objective, m, d, { reg = loud }))
    assert.matches('reg must be "l2" or "l1", got a table',
      H.err(lunet.optim.hvp, m, d, lunet.zeros(15, "float64"), { reg = loud }))
  end)
end)

describe("an optimizer's state written through opt:state()'s views", function()
  local core = require "lunet.core"
  local STATE = { sgd = { "velocity" }, adagrad = { "sum_squares" }, rmsprop = { "mean_square" },
    adam = { "mean", "mean_square" }, adamw = { "mean", "mean_square" }, adamax = { "mean", "max_abs" } }
  local SQUARES = { sum_squares = true, mean_square = true, max_abs = true }

  it("is refused by a training epoch before anything changes, naming the array and the element", function()
    for _, dtype in ipairs { "float32", "float64" } do
      for _, kind in ipairs(core.optimizer_kinds) do
        for _, name in ipairs(STATE[kind]) do
          local bad = SQUARES[name] and { -1, 0 / 0 } or { 0 / 0, math.huge }
          for _, v in ipairs(bad) do
            lunet.seed(3)
            local m = nn.Sequential({ nn.Linear(4, 3), nn.Softmax() },
              { input = { 4 }, cost = "log_likelihood", dtype = dtype })
            local o = lunet.optim.optimizer(m, { kind = kind, momentum = kind == "sgd" and 0.5 or nil,
              eta = 0.1 })
            o:state(name)[2] = v
            local before = m:net():parameters():clone()
            local err = H.err(lunet.train.sgd, m, data(), with { epochs = 1, batch = 2, optimizer = o })
            local what = kind .. " " .. name .. " " .. tostring(v) .. " " .. dtype
            assert.matches("the optimizer's state is invalid: element 2 of " .. name, err, nil, what)
            assert.is_nil(err:find("diverged", 1, true), what)
            assert.are.equal(0, H.maxdiff(before:totable(), m:net():parameters():totable()), what)
          end
        end
      end
    end
  end)

  it("is refused by opt:step, which changes nothing", function()
    local m = model()
    local net = m:net()
    local o = lunet.optim.optimizer(m, { kind = "rmsprop" })
    net:gradients():fill_(0.25)
    o:state()[1] = -4
    local before = net:parameters():clone()
    assert.matches("element 1 of mean_square holds %-4", H.err(o.step, o, net))
    assert.are.equal(0, H.maxdiff(before:totable(), net:parameters():totable()))
    assert.are.equal(0, o:steps())
    o:state()[1] = 4
    o:step(net)
    assert.are.equal(1, o:steps())
  end)

  it("with values a run could hold is taken (a negative mean or velocity)", function()
    local m = model()
    local o = lunet.optim.optimizer(m, { kind = "adam", eta = 0.01 })
    o:state("mean"):fill_(-0.5)
    o:state("mean_square"):fill_(0.25)
    lunet.train.sgd(m, data(), with { epochs = 1, batch = 2, optimizer = o })
    assert.is_true(m:net():parameters():all_finite())
  end)
end)

describe("a training value given twice", function()
  it("as lambda and lmbda is refused (lmbda had been taken, silently)", function()
    local err = H.err(lunet.train.sgd, model(), data(), with { epochs = 1, eta = 0.1, lambda = 1, lmbda = 2 })
    assert.matches("give lambda or lmbda, not both", err)
    local net = lunet.Network { 4, 3 }
    assert.matches("give lambda or lmbda, not both",
      H.err(net.SGD, net, data(), 1, 2, 0.1, with { lambda = 1, lmbda = 2 }))
    net:SGD(data(), 1, 2, 0.1, with { lmbda = 2 })
  end)

  it("as Network:SGD's argument and in its options is refused (the argument had been taken, silently)", function()
    local net = lunet.Network { 4, 3 }
    for _, k in ipairs { "epochs", "mini_batch_size", "batch", "eta" } do
      local o = with {}
      o[k] = k == "eta" and 5 or 3
      assert.matches("Network:SGD: " .. k .. " is an argument", H.err(net.SGD, net, data(), 1, 2, 0.1, o))
    end
  end)
end)

describe("training options an __index supplies", function()
  local function trained(o, call)
    local m = lunet.Network { 4, 3 }
    lunet.seed(5)
    m:flat_parameters():fill_(0.1)
    if call == "network" then
      m:SGD(data(), 1, 2, 0.1, o)
    else
      lunet.train.sgd(m, data(), o)
    end
    return m:flat_parameters():clone()
  end

  it("are read, as every other option table's are (they had been dropped, silently)", function()
    local plain = trained(with { epochs = 1, batch = 2, eta = 0.1, lambda = 50 })
    local none = trained(with { epochs = 1, batch = 2, eta = 0.1 })
    local inherited = trained(setmetatable(with { epochs = 1, batch = 2, eta = 0.1 }, { __index = { lambda = 50 } }))
    assert.are.equal(0, H.maxdiff(plain:totable(), inherited:totable()))
    assert.is_true(H.maxdiff(none:totable(), inherited:totable()) > 1e-3)
    local through_sgd = trained(setmetatable(with {}, { __index = { lambda = 50 } }), "network")
    assert.are.equal(0, H.maxdiff(plain:totable(), through_sgd:totable()))
    assert.matches("lambda must be a finite number >= 0", H.err(lunet.train.sgd, model(), data(),
      setmetatable(with { epochs = 1, eta = 0.1 }, { __index = { lambda = -1 } })))
  end)

  it("in the optimizer table are read by the core (beta1 had been dropped, silently)", function()
    local adam = setmetatable({ kind = "adam" }, { __index = { beta1 = 7 } })
    assert.matches("beta1 must be in %[0, 1%), not 7",
      H.err(lunet.train.sgd, model(), data(), with { epochs = 1, optimizer = adam }))
  end)

  it("never run a key's __tostring in the unknown-option message", function()
    local key = setmetatable({}, { __tostring = function() error("__tostring ran") end })
    assert.matches("unknown option a table key", H.err(lunet.train.sgd, model(), data(),
      with { epochs = 1, eta = 0.1, [key] = 1 }))
  end)
end)

describe("minimize's hess option", function()
  it("may be a table with __call, as f may (it had been refused as a table)", function()
    local D = lunet.tensor({ 1, 10, 100 }, "float64")
    local calls = 0
    local hess = setmetatable({}, { __call = function(_, x)
      calls = calls + 1
      local Hm = lunet.zeros(x:numel(), x:numel(), "float64")
      for i = 1, 3 do Hm[i][i] = D[i] end
      return Hm
    end })
    local f = function(x) return 0.5 * x:mul(x):mul_(D):sum(), x:mul(D) end
    local x = lunet.minimize(f, { 1, 1, 1 }, { method = "newton", hess = hess })
    assert.is_true(x:norm() < 1e-12)
    assert.is_true(calls >= 1)
    assert.matches("option hess must be a function, got table",
      H.err(lunet.minimize, f, { 1, 1, 1 }, { method = "newton", hess = {} }))
  end)
end)

describe("an optimizer object's set, set_eta and get", function()
  it("refuse a string that looks like a number, as the option tables do (\"0.5\" had been taken)", function()
    local o = lunet.optim.optimizer(model(), { kind = "adam" })
    assert.matches("a hyperparameter is a number, got string", H.err(o.set_eta, o, "0.5"))
    assert.matches("a hyperparameter is a number, got string", H.err(o.set, o, "eta", "0.25"))
    assert.matches("a hyperparameter's name is a string, got number", H.err(o.get, o, 1))
    assert.are.equal(0.001, o:eta())
    o:set("eta", 0.25)
    assert.are.equal(0.25, o:get("eta"))
  end)
end)

describe("a table given the tensor's metatable", function()
  local core = require "lunet.core"
  local fake = setmetatable({}, core.tensor_metatable)

  it("is no tensor to minimize, optim and the binding (it read 'lunet.Tensor expected, got lunet.Tensor')", function()
    assert.is_false(lunet.is_tensor(fake))
    assert.matches("f must return a gradient tensor as its second value, got table",
      H.err(lunet.minimize, function() return 1, fake end, { 1, 2 }))
    local f = function(x) return 0.5 * x:dot(x), x:clone() end
    assert.matches("hess must return a %(2, 2%) tensor",
      H.err(lunet.minimize, f, { 1, 2 }, { method = "newton", hess = function() return fake end }))
    local m = model()
    assert.matches("w must be a tensor, got table", H.err(lunet.optim.set_params, m, fake))
    assert.matches("a data set is a table", H.err(lunet.optim.objective, m, { x = fake, y = lunet.zeros(1) }))
    local err = H.err(lunet.linalg.inv, fake)
    assert.matches("lunet.Tensor expected, got table", err)
  end)

  it("is no tensor to core.is_tensor, the one check every module asks (models and diagnose compared metatables)",
    function()
      assert.is_false(core.is_tensor(fake))
      assert.is_false(core.is_tensor(io.stdout))    -- a userdata of another kind
      assert.is_false(core.is_tensor())
      local t = lunet.zeros(2)
      assert.is_true(core.is_tensor(t))
      t:close()
      assert.is_true(core.is_tensor(t))             -- closed, still a tensor
      local m = model()
      assert.matches("expected a tensor of inputs, got table", H.err(m.forward, m, fake))
      local set = { x = fake, y = lunet.zeros(6) }
      assert.matches("data.x must be a tensor of inputs, got table", H.err(m.evaluate, m, set))
      assert.matches("x must be a tensor", H.err(lunet.diagnose.trace, m, fake))
    end)
end)

describe("lunet.optim with a model whose net() is no network (hostile7)", function()
  it("says what net() returned instead of failing inside", function()
    local d = data()
    local fake = { net = function() return { info = function() return {} end, parameters = function() end } end }
    for _, call in ipairs {
      function() return lunet.optim.objective(fake, d) end,
      function() return lunet.optim.get_params(fake) end,
    } do
      local msg = H.err(call)
      assert.matches("its net%(%) returned a table, not a lunet network", msg)
    end
    local number = { net = function() return 1 end }
    assert.matches("returned a number, not a lunet network", H.err(lunet.optim.objective, number, d))
  end)
end)

describe("option values in train.sgd's and the models' messages (hostile7)", function()
  it("are shown by type, never through a __tostring that may raise", function()
    local loud = setmetatable({}, { __tostring = function() error("tostring ran") end })
    local m, d = model(), data()
    for key, want in pairs { reg = "reg must be", lambda = "lambda must be", batch = "mini%-batch size must be",
      eta = "eta must be" } do
      local msg = H.err(lunet.train.sgd, m, d, H.sgd_opts { [key] = loud })
      assert.matches(want .. ".-got a table", msg)
    end
    assert.matches("lambda must be a finite number >= 0, got a table", H.err(m.evaluate, m, d, { lambda = loud }))
    assert.matches("reg must be \"l2\" or \"l1\", got a table", H.err(m.evaluate, m, d, { lambda = 1, reg = loud }))
    local opts = H.sgd_opts { optimizer = { kind = loud } }
    assert.matches("unknown optimizer a table", H.err(lunet.train.sgd, m, d, opts))
  end)
end)
