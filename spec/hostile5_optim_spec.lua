-- The optimisers under hostile input, fifth round: checkpoints whose
-- optimizer record was tampered with and resealed (a full step counter,
-- NaN or negative state), options given twice to lunet.train.sgd, and the
-- cost of a network whose outputs are NaN.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn
local H = require "spec.helpers"

local crc32 = H.crc32

-- bytes with [at, at + #field) replaced by field, the checksum resealed
local function patched(bytes, at, field)
  local body = bytes:sub(1, at - 1) .. field .. bytes:sub(at + #field, #bytes - 4)
  return body .. string.pack("<I4", crc32(body))
end

local function model(dtype)
  lunet.seed(4)
  return nn.Sequential({ nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Softmax() },
    { input = { 3 }, cost = "log_likelihood", dtype = dtype or "float64" })
end

-- A checkpoint of one step of `kind`, and where its fields are (1-based):
-- the step counter and the first value of each state array.
local function saved(path, kind, dtype)
  local net = model(dtype):net()
  local o = core.optimizer(net, { kind = kind, n = 6, momentum = kind == "sgd" and 0.5 or nil,
    eta = kind == "sgd" and 0.1 or nil })
  net:gradients():fill_(0.25)
  o:step(net)
  core.checkpoint_save(path, net, o, "root t:\n")
  local bytes = H.read(path)
  local at = 8 + 4 + 8 + string.unpack("<I8", bytes, 13) + 1     -- the optimizer record
  local count = string.unpack("<I4", bytes, at + 4)
  local t_at = at + 8 + 8 * count + 4 + 8 + 8
  local first = t_at + 8 + 4 + 8 + 4
  local size = (dtype or "float64") == "float64" and 8 or 4
  return bytes, t_at, function(i) return first + (i - 1) * size * net:parameters():numel() end, net
end

local STATE = { sgd = { "velocity" }, adagrad = { "sum_squares" }, rmsprop = { "mean_square" },
  adam = { "mean", "mean_square" }, adamw = { "mean", "mean_square" }, adamax = { "mean", "max_abs" } }

local function value(dtype, v)
  return string.pack(dtype == "float32" and "<f" or "<d", v)
end

describe("a resealed checkpoint's optimizer record", function()
  local tmp
  before_each(function() tmp = H.tmpname(".ckpt") end)
  after_each(function() os.remove(tmp) end)

  it("with a step count of 2^63 - 1 is refused: the next step's count would overflow", function()
    for _, kind in ipairs(core.optimizer_kinds) do
      local bytes, t_at, _, net = saved(tmp, kind)
      H.write(tmp, patched(bytes, t_at, string.pack("<i8", math.maxinteger)))
      local o = core.optimizer(net, { kind = kind, n = 6, momentum = kind == "sgd" and 0.5 or nil,
        eta = kind == "sgd" and 0.1 or nil })
      assert.matches("invalid optimizer record", H.err(core.checkpoint_load, tmp, net, o), nil, kind)
      assert.are.equal(0, o:steps())
    end
  end)

  it("with a step count one short of full takes that step, then refuses the next", function()
    local bytes, t_at, _, net = saved(tmp, "adam")
    H.write(tmp, patched(bytes, t_at, string.pack("<i8", math.maxinteger - 1)))
    local o = core.optimizer(net, { kind = "adam", n = 6 })
    core.checkpoint_load(tmp, net, o)
    o:step(net)
    assert.are.equal(math.maxinteger, o:steps())
    local before = net:parameters():clone()
    assert.matches("step count", H.err(o.step, o, net))
    assert.are.equal(math.maxinteger, o:steps())
    assert.are.equal(0, H.maxdiff(before:totable(), net:parameters():totable()))
  end)

  it("with NaN or infinite state is refused, every kind and state array, float32 and float64", function()
    for _, dtype in ipairs { "float32", "float64" } do
      for _, kind in ipairs(core.optimizer_kinds) do
        local bytes, _, state_at, net = saved(tmp, kind, dtype)
        local nstate = #STATE[kind]
        for i = 1, nstate do
          for _, v in ipairs { 0 / 0, math.huge, -math.huge } do
            H.write(tmp, patched(bytes, state_at(i), value(dtype, v)))
            local o = core.optimizer(net, { kind = kind, n = 6, momentum = kind == "sgd" and 0.5 or nil,
              eta = kind == "sgd" and 0.1 or nil })
            local err = H.err(core.checkpoint_load, tmp, net, o)
            assert.matches("invalid optimizer state: element 1 of " .. STATE[kind][i], err, nil, kind .. " " .. dtype)
            assert.is_true(net:parameters():all_finite())
          end
        end
      end
    end
  end)

  it("with a negative sum of squares is refused; a negative mean or velocity is a valid state", function()
    local cases = { { "adagrad", 1, false }, { "rmsprop", 1, false }, { "adam", 2, false }, { "adamw", 2, false },
      { "adamax", 2, false }, { "adam", 1, true }, { "adamw", 1, true }, { "adamax", 1, true }, { "sgd", 1, true } }
    for _, c in ipairs(cases) do
      local kind, i, valid = c[1], c[2], c[3]
      local bytes, _, state_at, net = saved(tmp, kind)
      H.write(tmp, patched(bytes, state_at(i), value("float64", -1)))
      local o = core.optimizer(net, { kind = kind, n = 6, momentum = kind == "sgd" and 0.5 or nil,
        eta = kind == "sgd" and 0.1 or nil })
      if valid then
        core.checkpoint_load(tmp, net, o)
        o:step(net)
        assert.is_true(net:parameters():all_finite(), kind)
      else
        assert.matches("never negative", H.err(core.checkpoint_load, tmp, net, o), nil, kind)
        net:gradients():fill_(0.25)
        o:step(net)   -- the optimizer was left as made: the step is finite
        assert.is_true(net:parameters():all_finite(), kind)
      end
    end
  end)

  it("is refused through lunet.train.sgd's resume, which changes nothing", function()
    local m = model("float32")
    local data = { x = lunet.randn(6, 3), y = lunet.tensor({ 0, 1, 1, 0, 1, 0 }) }
    local o = { epochs = 1, batch = 2, eta = 0.01, optimizer = "adam", verbose = false, progress = false }
    o.checkpoint = tmp
    lunet.train.sgd(m, data, o)
    local bytes = H.read(tmp)
    local at = 8 + 4 + 8 + string.unpack("<I8", bytes, 13) + 1
    local count = string.unpack("<I4", bytes, at + 4)
    local t_at = at + 8 + 8 * count + 4 + 8 + 8
    local second = t_at + 8 + 4 + 8 + 4 + 4 * m:net():parameters():numel()
    H.write(tmp, patched(bytes, second, value("float32", -2)))
    local fresh = model("float32")
    local before = fresh:flat_parameters():clone()
    o.checkpoint, o.resume, o.epochs = nil, tmp, 2
    assert.matches("mean_square holds %-2", H.err(lunet.train.sgd, fresh, data, o))
    assert.are.equal(0, H.maxdiff(before:totable(), fresh:flat_parameters():totable()))
  end)
end)

describe("hyperparameters of a float32 network", function()
  local function made(dtype, o)
    return pcall(lunet.optim.optimizer, model(dtype), o)
  end

  it("are checked as float32 rounds them: eps to 0, eta to 0 or inf, a beta to 1", function()
    local cases = {
      { { kind = "adam", eps = 1e-50 }, "eps = 1e%-50 is 0 in float32" },
      { { kind = "adagrad", eps = 1e-50 }, "eps = 1e%-50 is 0 in float32" },
      { { kind = "rmsprop", eps = 1e-50 }, "eps = 1e%-50 is 0 in float32" },
      { { kind = "adam", eta = 1e300 }, "eta = 1e%+300 is inf in float32" },
      { { kind = "sgd", eta = 1e-300 }, "eta = 1e%-300 is 0 in float32" },
      { { kind = "adam", beta1 = 1 - 1e-10 }, "beta1 = 1 is 1 in float32" },
      { { kind = "rmsprop", rho = 1 - 1e-10 }, "rho = 1 is 1 in float32" },
      { { kind = "sgd", eta = 0.1, momentum = 1 - 1e-10 }, "momentum = 1 is 1 in float32" },
      { { kind = "sgd", eta = 0.1, lambda = 1e300, reg = "l2" }, "lambda / n = 1e%+300 is infinite in float32" },
    }
    for _, c in ipairs(cases) do
      local ok, err = made("float32", c[1])
      assert.is_false(ok, c[2])
      assert.matches(c[2], err)
      assert.is_true((made("float64", c[1])), c[2])   -- float64 computes with them as given
    end
  end)

  it("are taken as given by a float64 network: eps = 1e-50 keeps a zero gradient's step 0", function()
    local m = model("float64")
    local net = m:net()
    local o = lunet.optim.optimizer(m, { kind = "adam", eps = 1e-50 })
    net:gradients():zero_()
    o:step(net)
    assert.is_true(net:parameters():all_finite())
  end)

  it("set between steps is checked the same way", function()
    local o = lunet.optim.optimizer(model("float32"), { kind = "sgd", eta = 0.1, momentum = 0.5 })
    assert.matches("eta = 1e%-300 is 0 in float32", H.err(o.set_eta, o, 1e-300))
    assert.matches("momentum = 1 is 1 in float32", H.err(o.set, o, "momentum", 1 - 1e-10))
    assert.are.equal(0.1, o:eta())
    o:set_eta(1e-30)
  end)

  it("restored from a resealed checkpoint are checked against the network's dtype", function()
    local tmp = H.tmpname(".ckpt")
    local net = model("float32"):net()
    local o = core.optimizer(net, { kind = "sgd", eta = 0.5, n = 6 })
    core.checkpoint_save(tmp, net, o, "root t:\n")
    local bytes = H.read(tmp)
    local at = 8 + 4 + 8 + string.unpack("<I8", bytes, 13) + 1 + 8   -- sgd's first hyperparameter: eta
    assert.are.equal(0.5, string.unpack("<d", bytes, at))
    H.write(tmp, patched(bytes, at, string.pack("<d", 1e-300)))
    assert.matches("invalid optimizer hyperparameters", H.err(core.checkpoint_load, tmp, net, o))
    assert.are.equal(0.5, o:eta())
    os.remove(tmp)
  end)
end)

describe("an optimizer kind that is not a name", function()
  it("is named with the valid kinds (the message blamed 'bad argument #-1')", function()
    for _, kind in ipairs { 3, true, {}, "adamm" } do
      local err = H.err(lunet.optim.optimizer, model(), { kind = kind })
      assert.matches("lunet.optim.optimizer: kind: invalid option '", err)
      assert.matches("%(valid: sgd, adagrad, rmsprop, adam, adamw, adamax%)", err)
      assert.is_nil(err:find("#-1", 1, true))
    end
  end)
end)

describe("lunet.train.sgd given an option twice", function()
  local data = { x = lunet.randn(6, 3), y = lunet.tensor({ 0, 1, 1, 0, 1, 0 }) }
  local function sgd(o)
    o.epochs, o.verbose, o.progress, o.batch = 1, false, false, 2
    return function() return lunet.train.sgd(model("float32"), data, o) end
  end

  it("refuses eta in the optimizer table and beside it, when they differ", function()
    assert.matches("eta is given twice %(0.1, and 0.5",
      H.err(sgd { eta = 0.1, optimizer = { kind = "adam", eta = 0.5 } }))
    assert.matches("eta is given twice", H.err(sgd { eta = 0.1, optimizer = { kind = "sgd", eta = 0.5 } }))
    local _, _, _, _, h = sgd { eta = 0.1, optimizer = { kind = "adam", eta = 0.1 } }()
    assert.are.equal(0.1, h.eta[1])
    _, _, _, _, h = sgd { optimizer = { kind = "adam", eta = 0.02 } }()
    assert.are.equal(0.02, h.eta[1])
  end)

  it("refuses momentum and nesterov in both places when they differ", function()
    assert.matches("momentum is given twice",
      H.err(sgd { eta = 0.1, momentum = 0.5, optimizer = { kind = "sgd", momentum = 0.9 } }))
    assert.matches("nesterov is given twice", H.err(sgd { eta = 0.1, momentum = 0.5, nesterov = true,
      optimizer = { kind = "sgd", momentum = 0.5, nesterov = false } }))
    sgd { eta = 0.1, optimizer = { kind = "sgd", momentum = 0.9 } }()
    sgd { eta = 0.1, momentum = 0.9, optimizer = { kind = "sgd", momentum = 0.9 } }()
  end)

  it("refuses reg, lambda and n in the optimizer table, which train.sgd set over them", function()
    assert.matches("optimizer.lambda", H.err(sgd { eta = 0.1, optimizer = { kind = "sgd", lambda = 5 } }))
    assert.matches("optimizer.reg", H.err(sgd { eta = 0.1, lambda = 1, optimizer = { kind = "adam", reg = "l1" } }))
    assert.matches("optimizer.n", H.err(sgd { eta = 0.1, optimizer = { kind = "sgd", n = 1 } }))
  end)

  it("walks its options and the optimizer table raw: a __pairs metamethod never runs", function()
    local boom = { __pairs = function() error("__pairs ran") end }
    sgd(setmetatable({ eta = 0.1 }, boom))()
    local _, _, _, _, h = sgd { optimizer = setmetatable({ kind = "adam", eta = 0.02 }, boom) }()
    assert.are.equal(0.02, h.eta[1])
    local net = lunet.Network { 3, 2 }
    net:SGD({ x = data.x, y = data.y }, 1, 2, 0.1, setmetatable({ verbose = false, progress = false }, boom))
  end)

  it("names the type of a momentum schedule's non-number", function()
    assert.matches("got string 0.5", H.err(sgd { eta = 0.1, momentum = function() return "0.5" end }))
  end)
end)

describe("the cost of a network whose outputs are NaN", function()
  it("is NaN for every cost and dtype (log's floor at 0 had made it 745 a sample)", function()
    for _, dtype in ipairs { "float32", "float64" } do
      for _, c in ipairs { { "log_likelihood", nn.Softmax() }, { "cross_entropy", nn.Sigmoid() },
        { "quadratic", nn.Sigmoid() } } do
        lunet.seed(1)
        local m = nn.Sequential({ nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), c[2] },
          { input = { 3 }, cost = c[1], dtype = dtype })
        local data = { x = lunet.randn(6, 3, dtype), y = lunet.tensor({ 0, 1, 1, 0, 1, 0 }) }
        if c[1] ~= "log_likelihood" then data.y = lunet.one_hot(data.y, 2):to(dtype) end
        local f, w = lunet.optim.objective(m, data)
        local cost = f(w)
        assert.is_true(cost == cost and cost < math.huge)
        w[2] = 0 / 0
        cost = f(w)
        assert.is_true(cost ~= cost, c[1] .. " " .. dtype .. " objective: " .. tostring(cost))
        cost = lunet.train.evaluate(m, data)
        assert.is_true(cost ~= cost, c[1] .. " " .. dtype .. " evaluate: " .. tostring(cost))
      end
    end
  end)

  it("is still finite where a probability is exactly 0 (the book's nan_to_num)", function()
    local m = nn.Sequential({ nn.Linear(1, 2), nn.Sigmoid() }, { input = { 1 }, cost = "cross_entropy",
      dtype = "float64" })
    m:net():parameters():copy(lunet.tensor({ 1000, -1000, 0, 0 }, "float64"))  -- outputs 1 and 0
    local cost = lunet.train.evaluate(m, { x = lunet.tensor({ { 1 } }, "float64"),
      y = lunet.tensor({ { 1, 0 } }, "float64") })
    assert.are.equal(0, cost)
    cost = lunet.train.evaluate(m, { x = lunet.tensor({ { 1 } }, "float64"),
      y = lunet.tensor({ { 0, 1 } }, "float64") })
    assert.are.equal(2 * 745, cost)
  end)
end)
