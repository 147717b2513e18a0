-- The optimiser interface of the core: kinds named once, options checked,
-- one step over the parameter block with the decay mask (weights decayed;
-- biases, gamma and beta not), an optimizer tied to its network.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn
local H = require "spec.helpers"

-- A float64 network with every kind of parameter: conv weight and bias,
-- batch norm's gamma and beta, dense weight and bias.
local function problem()
  lunet.seed(5)
  local model = nn.Sequential({ nn.Conv2d(1, 2, 3), nn.BatchNorm(), nn.Tanh(), nn.Reshape(2 * 4 * 4),
    nn.Linear(32, 3), nn.Softmax() }, { input = { 1, 6, 6 }, cost = "log_likelihood", dtype = "float64" })
  local data = { x = lunet.randn(8, 1, 6, 6, "float64"), y = lunet.tensor({ 0, 1, 2, 1, 0, 2, 2, 1 }) }
  return model, model:net(), data
end

-- 1 for decayed parameters (those named weight), 0 for the others.
local function decay_mask(model)
  local parts = {}
  for _, p in ipairs(model:parameters()) do
    for _ = 1, p.value:numel() do parts[#parts + 1] = p.name == "weight" and 1 or 0 end
  end
  return parts
end

local function values(t)
  return H.flat(t:totable())
end

local QUIET = { progress = false }

describe("the optimiser interface", function()
  it("names its kinds once, in the core", function()
    assert.are.same({ "sgd", "adagrad", "rmsprop", "adam", "adamw", "adamax" }, core.optimizer_kinds)
    local _, net = problem()
    assert.are.equal("sgd", core.optimizer(net, { eta = 0.1 }):kind())
    assert.matches("invalid option 'adamm'", H.err(core.optimizer, net, { kind = "adamm", eta = 0.1 }))
  end)

  it("rejects unknown and out-of-range options, naming the valid ones", function()
    local _, net = problem()
    assert.matches("unknown option 'mometum' %(valid: kind, reg, lambda, n, eta, momentum, nesterov%)",
      H.err(core.optimizer, net, { eta = 0.1, mometum = 0.9 }))
    assert.matches("eta must be in %(0, inf%), not %-?nan", H.err(core.optimizer, net, { eta = 0 / 0 }))
    assert.matches("eta must be in", H.err(core.optimizer, net, { eta = math.huge }))
    assert.matches("eta must be in", H.err(core.optimizer, net, {}))
    assert.matches("momentum must be in %[0, 1%)", H.err(core.optimizer, net, { eta = 1, momentum = 1 }))
    assert.matches("Nesterov needs a momentum", H.err(core.optimizer, net, { eta = 1, nesterov = true }))
    assert.matches("lambda must be >= 0", H.err(core.optimizer, net, { eta = 1, lambda = -1 }))
    assert.matches("training set size", H.err(core.optimizer, net, { eta = 1, n = 0 }))
  end)

  it("momentum with L2: v <- mu v - eta (g + (lambda/n) w) on weights only; w <- w + v", function()
    local model, net, data = problem()
    local eta, mu, lambda, n = 0.2, 0.7, 0.9, 8
    local optim = core.optimizer(net, { eta = eta, momentum = mu, reg = "l2", lambda = lambda, n = n })
    local mask, c = decay_mask(model), lambda / n
    local w, v = values(net:parameters()), {}
    for i = 1, #w do v[i] = 0 end
    for step = 1, 3 do
      core.train_epoch(net, optim, data, 8, QUIET)   -- one mini-batch: one step
      local g = values(net:gradients())
      for i = 1, #w do
        v[i] = mu * v[i] - eta * (g[i] + mask[i] * c * w[i])
        w[i] = w[i] + v[i]
      end
      H.near(values(optim:velocity()), v, 1e-12, "velocity after step " .. step)
      H.near(values(net:parameters()), w, 1e-12, "parameters after step " .. step)
    end
    assert.are.equal(3, optim:steps())
  end)

  it("Nesterov with L1: v' <- mu v - eta (g + (lambda/n) sgn w); w <- w - mu v + (1 + mu) v'", function()
    local model, net, data = problem()
    local eta, mu, lambda, n = 0.1, 0.6, 2.0, 8
    local optim = core.optimizer(net, { eta = eta, momentum = mu, nesterov = true, reg = "l1", lambda = lambda,
      n = n })
    local mask, c = decay_mask(model), lambda / n
    local w, v = values(net:parameters()), {}
    for i = 1, #w do v[i] = 0 end
    for step = 1, 3 do
      core.train_epoch(net, optim, data, 8, QUIET)
      local g = values(net:gradients())
      for i = 1, #w do
        local sgn = w[i] > 0 and 1 or w[i] < 0 and -1 or 0
        local new = mu * v[i] - eta * (g[i] + mask[i] * c * sgn)
        w[i] = w[i] - mu * v[i] + (1 + mu) * new
        v[i] = new
      end
      H.near(values(net:parameters()), w, 1e-12, "parameters after step " .. step)
    end
  end)

  it("steps every mini-batch, the last partial one too", function()
    local _, net, data = problem()
    local optim = core.optimizer(net, { eta = 0.01 })
    core.train_epoch(net, optim, data, 3, QUIET)   -- 3 + 3 + 2
    assert.are.equal(3, optim:steps())
    assert.is_nil(optim:velocity())                -- plain SGD keeps no state
  end)

  it("is tied to its network: another network, a clone or another dtype is refused", function()
    local _, net, data = problem()
    local optim = core.optimizer(net, { eta = 0.1, momentum = 0.5 })
    local _, other = problem()
    assert.matches("made for another network", H.err(core.train_epoch, other, optim, data, 4, QUIET))
    assert.matches("made for another network", H.err(core.train_epoch, net:clone(), optim, data, 4, QUIET))
    local x32 = { x = data.x:float(), y = data.y }
    assert.matches("made for another network", H.err(core.train_epoch, net:clone("float32"), optim, x32, 4, QUIET))
    local small = nn.Sequential({ nn.Linear(2, 2), nn.Softmax() }, { input = { 2 }, cost = "log_likelihood" }):net()
    assert.matches("made for another network", H.err(core.train_epoch, small, optim,
      { x = lunet.zeros(2, 2), y = lunet.tensor { 0, 1 } }, 1, QUIET))
    assert.has_no.errors(function() core.train_epoch(net, optim, data, 4, QUIET) end)
  end)

  it("keeps its network alive, and a closed network is an error", function()
    local _, net, data = problem()
    local optim = core.optimizer(net, { eta = 0.1, momentum = 0.5 })
    local weak = setmetatable({ net }, { __mode = "v" })
    net = nil   -- luacheck: ignore 311
    collectgarbage()
    collectgarbage()
    assert.is_not_nil(weak[1], "the optimizer holds its network")
    weak[1]:close()
    assert.matches("network has been closed", H.err(core.train_epoch, weak[1], optim, data, 4, QUIET))
    local _, fresh = problem()
    assert.matches("made for another network", H.err(core.train_epoch, fresh, optim, data, 4, QUIET))
  end)

  it("set_eta takes finite positive numbers only", function()
    local _, net = problem()
    local optim = core.optimizer(net, { eta = 0.1 })
    for _, bad in ipairs { 0, -1, 0 / 0, math.huge } do
      assert.matches("eta must be a finite number > 0", H.err(optim.set_eta, optim, bad))
    end
    optim:set_eta(0.25)
    assert.are.equal(0.25, optim:eta())
  end)

  it("adaptive kinds allocate their state and report it by name", function()
    local _, net = problem()
    local n = net:info().nparams
    for kind, names in pairs { adagrad = { "sum_squares" }, rmsprop = { "mean_square" },
      adam = { "mean", "mean_square" }, adamw = { "mean", "mean_square" }, adamax = { "mean", "max_abs" } } do
      local o = core.optimizer(net, { kind = kind })
      for _, name in ipairs(names) do assert.are.equal(n, o:state(name):numel(), kind .. " " .. name) end
      assert.is_nil(o:velocity())
      assert.matches("unknown option 'momentum'", H.err(core.optimizer, net, { kind = kind, momentum = 0.9 }))
    end
    assert.matches("beta1 must be in %[0, 1%)", H.err(core.optimizer, net, { kind = "adam", beta1 = 1 }))
    assert.matches("eps must be in %(0, inf%)", H.err(core.optimizer, net, { kind = "rmsprop", eps = 0 }))
    assert.matches("eta %* weight_decay must be < 1", H.err(core.optimizer, net, { kind = "adamw", eta = 1,
      weight_decay = 2 }))
  end)
end)

describe("optimisers in lunet.train.sgd", function()
  it("optimizer = name or table trains; SGD's options are refused for other kinds", function()
    for _, spec in ipairs { "adagrad", "rmsprop", "adam", "adamw", { kind = "adam", beta2 = 0.99 } } do
      local model, _, data = problem()
      local before = lunet.train.evaluate(model, data)
      local _, _, cost = lunet.train.sgd(model, data, { epochs = 15, batch = 4, optimizer = spec, eta = 0.02,
        verbose = false, progress = false, monitor_training_cost = true })
      assert.is_true(cost[15] < before, "cost falls with " .. (type(spec) == "table" and spec.kind or spec))
    end
    local model, _, data = problem()
    local function sgd(o)
      o.epochs, o.verbose, o.progress = 1, false, false
      return H.err(lunet.train.sgd, model, data, o)
    end
    assert.matches("momentum and nesterov are options of the sgd optimizer", sgd { optimizer = "adam", momentum = 0.9 })
    assert.matches("unknown optimizer 'adma'", sgd { optimizer = "adma" })
    assert.matches("unknown option 'beta3'", sgd { optimizer = { kind = "adam", beta3 = 1 } })
    assert.matches("eta must be a finite positive number", sgd { optimizer = "sgd" })
    assert.has_no.errors(function() lunet.train.sgd(model, data, { epochs = 1, optimizer = "adam", verbose = false,
      progress = false }) end)   -- eta defaults to Adam's 0.001
  end)

  -- The parameters after training, as bytes.
  local function bits(model)
    local out = {}
    for i, v in ipairs(model:net():parameters():totable()) do out[i] = string.pack("<d", v) end
    return table.concat(out)
  end

  it("an optimizer object trains as its name does, and a second run continues its state", function()
    local function with(o)
      o.verbose, o.progress = false, false
      return o
    end
    local a, _, data = problem()
    lunet.train.sgd(a, data, with { epochs = 4, batch = 4, optimizer = { kind = "adam", beta1 = 0.8 }, eta = 0.02 })
    local b = problem()
    local o = lunet.optim.optimizer(b, { kind = "adam", beta1 = 0.8 })
    lunet.train.sgd(b, data, with { epochs = 2, batch = 4, optimizer = o, eta = 0.02 })
    assert.are.equal(0.02, o:eta())
    lunet.train.sgd(b, data, with { epochs = 2, batch = 4, optimizer = o })
    assert.are.equal(bits(a), bits(b))
    assert.are.equal(8, o:steps())
    -- Network:SGD and network3's SGD take one too, and a momentum schedule sets its momentum
    lunet.seed(2)
    local net = lunet.Network({ 36, 5, 3 }, { dtype = "float64" })
    local flat = { x = data.x:reshape(8, 36), y = data.y }
    local m = lunet.optim.optimizer(net, { kind = "sgd", eta = 0.1, momentum = 0.5 })
    local _, _, _, _, h = net:SGD(flat, 3, 4, 0.05,
      with { optimizer = m, momentum = function(e) return 0.5 + 0.1 * e end })
    assert.are.same({ 0.6, 0.7, 0.8 }, h.momentum)
    assert.are.equal(0.8, m:get("momentum"))
    assert.are.equal(6, m:steps())
    local n3 = lunet.network3
    lunet.seed(2)
    local net3 = n3.Network({ n3.FullyConnectedLayer { n_in = 36, n_out = 5 },
      n3.SoftmaxLayer { n_in = 5, n_out = 3 } }, 4)
    local r = lunet.optim.optimizer(net3, { kind = "rmsprop" })
    net3:SGD(flat, 2, 4, 0.001, nil, nil, 0, { optimizer = r, progress = false,
      out = { write = function() end, flush = function() end } })
    assert.are.equal(4, r:steps())
  end)

  it("an optimizer object keeps its own regularisation and momentum, and its network", function()
    local model, _, data = problem()
    local o = lunet.optim.optimizer(model, { kind = "sgd", eta = 0.1 })
    local function sgd(extra)
      local t = { epochs = 1, verbose = false, progress = false, optimizer = o }
      for k, v in pairs(extra) do t[k] = v end
      return H.err(lunet.train.sgd, model, data, t)
    end
    assert.matches("lambda and reg belong to the optimizer object", sgd { lambda = 1 })
    assert.matches("momentum and nesterov belong to the optimizer object", sgd { momentum = 0.9 })
    assert.matches("momentum and nesterov belong to the optimizer object", sgd { nesterov = true })
    assert.matches("needs an optimizer object made with momentum > 0", sgd { momentum = function() return 0.5 end })
    assert.matches("eta must be a finite positive number", sgd { eta = -1 })
    local other = problem()
    assert.matches("optimizer was made for another network", H.err(lunet.train.sgd, other, data,
      { epochs = 1, verbose = false, progress = false, optimizer = o, eta = 0.5 }))
    assert.are.equal(0.1, o:eta())                  -- the refused calls changed nothing
    assert.are.equal(0, o:steps())
    assert.matches("optimizer must be a name, a table {kind = name, ...} or an optimizer object",
      sgd { optimizer = 42 })
  end)
end)

describe("a momentum schedule", function()
  it("sets mu before each epoch, as a hand-written loop does", function()
    local mus = { 0.5, 0.9, 0.7 }
    local model, net, data = problem()
    lunet.seed(50)
    local h = select(5, lunet.train.sgd(model, data, { epochs = 3, batch = 3, eta = 0.05,
      momentum = function(epoch) return mus[epoch] end, verbose = false, progress = false }))
    assert.are.same(mus, h.momentum)
    local want = values(net:parameters())
    local _, net2 = problem()
    lunet.seed(50)
    local o = core.optimizer(net2, { eta = 0.05, momentum = 0.5, n = 8 })
    for epoch = 1, 3 do
      o:set("momentum", mus[epoch])
      core.train_epoch(net2, o, data, 3, QUIET)
    end
    assert.are.same(want, values(net2:parameters()))
    assert.are.equal(0.7, o:get("momentum"))
  end)

  it("Sutskever et al.'s form: 0.5, then 1 - 2^(-1 - log2(t/250 + 1)) up to mu_max", function()
    local f = lunet.train.sutskever(0.99, 250)
    assert.are.equal(0.5, f(1))
    assert.are.equal(0.75, f(2))
    H.near(f(3), 1 - 0.5 / 3, 1e-15)
    assert.are.equal(0.99, f(1000))
  end)

  it("must stay in (0, 1), and momentum cannot be turned on later", function()
    local model, net, data = problem()
    local function run(mu)
      return H.err(lunet.train.sgd, model, data, { epochs = 2, eta = 0.1, momentum = mu, verbose = false,
        progress = false })
    end
    assert.matches("momentum%(1%) must be a number in %(0, 1%), got 0", run(function() return 0 end))
    assert.matches("momentum%(2%) must be a number in %(0, 1%), got 1", run(function(e) return e == 1 and 0.5 or 1 end))
    local o = core.optimizer(net, { eta = 0.1 })
    assert.matches("needs state this optimizer was made without", H.err(o.set, o, "momentum", 0.5))
    assert.matches("nesterov is fixed", H.err(o.set, o, "nesterov", 1))
    assert.matches("no hyperparameter 'beta1'", H.err(o.set, o, "beta1", 0.5))
  end)
end)

-- Textbook steps on fixed gradients: the gradient block is written by hand
-- and optim:step(net) applies one step.
describe("adaptive optimisers against their textbook formulas", function()
  local function fixed_grad(i, t)
    return math.sin(1.7 * i + 0.9 * t) * (1 + 0.1 * i)
  end

  -- Runs `steps` steps of kind with opts, and the Lua reference `update`
  -- (called per element with w, g, state table, t, decayed), comparing.
  local function check(kind, opts, update)
    local model, net = problem()
    opts.kind = kind
    local o = core.optimizer(net, opts)
    local mask, w, st = decay_mask(model), values(net:parameters()), {}
    for i = 1, #w do st[i] = { 0, 0 } end
    local grads = net:gradients()
    for t = 1, 6 do
      for i = 1, #w do grads[i] = fixed_grad(i, t) end
      o:step(net)
      for i = 1, #w do w[i] = update(w[i], fixed_grad(i, t), st[i], t, mask[i] == 1) end
      H.near(values(net:parameters()), w, 1e-12, kind .. " after step " .. t)
    end
    assert.are.equal(6, o:steps())
  end

  local L2 = 0.4 / 8   -- lambda / n

  it("Adagrad: G <- G + g^2; w <- w - eta g / (sqrt(G) + eps)", function()
    check("adagrad", { eta = 0.05, reg = "l2", lambda = 0.4, n = 8 }, function(w, g, s, _, decayed)
      g = g + (decayed and L2 * w or 0)
      s[1] = s[1] + g * g
      return w - 0.05 * g / (math.sqrt(s[1]) + 1e-10)
    end)
  end)

  it("RMSprop: s <- rho s + (1 - rho) g^2; w <- w - eta g / (sqrt(s) + eps)", function()
    check("rmsprop", { eta = 0.01, rho = 0.9, reg = "l1", lambda = 0.4, n = 8 }, function(w, g, s, _, decayed)
      g = g + (decayed and L2 * (w > 0 and 1 or w < 0 and -1 or 0) or 0)
      s[1] = 0.9 * s[1] + 0.1 * g * g
      return w - 0.01 * g / (math.sqrt(s[1]) + 1e-8)
    end)
  end)

  local function adam(w, g, s, t, b1, b2, eta, eps)
    s[1] = b1 * s[1] + (1 - b1) * g
    s[2] = b2 * s[2] + (1 - b2) * g * g
    local mhat, vhat = s[1] / (1 - b1 ^ t), s[2] / (1 - b2 ^ t)
    return w - eta * mhat / (math.sqrt(vhat) + eps)
  end

  it("Adam with its defaults: bias-corrected first and second moments", function()
    check("adam", {}, function(w, g, s, t)
      return adam(w, g, s, t, 0.9, 0.999, 0.001, 1e-8)
    end)
  end)

  it("Adam with L2 and other betas", function()
    check("adam", { eta = 0.02, beta1 = 0.8, beta2 = 0.99, eps = 1e-6, reg = "l2", lambda = 0.4, n = 8 },
      function(w, g, s, t, decayed)
        return adam(w, g + (decayed and L2 * w or 0), s, t, 0.8, 0.99, 0.02, 1e-6)
      end)
  end)

  it("AdamW: decoupled decay of the weights only, then Adam's step", function()
    check("adamw", { eta = 0.01, weight_decay = 0.5 }, function(w, g, s, t, decayed)
      if decayed then w = w * (1 - 0.01 * 0.5) end
      return adam(w, g, s, t, 0.9, 0.999, 0.01, 1e-8)
    end)
  end)

  -- Kingma and Ba's section 7.1, eps inside the max as PyTorch has it
  local function adamax(w, g, s, t, b1, b2, eta, eps)
    s[1] = b1 * s[1] + (1 - b1) * g
    s[2] = math.max(b2 * s[2], math.abs(g) + eps)
    return w - eta / (1 - b1 ^ t) * s[1] / s[2]
  end

  it("Adamax: m <- b1 m + (1 - b1) g; u <- max(b2 u, |g| + eps); w <- w - eta / (1 - b1^t) m / u", function()
    check("adamax", {}, function(w, g, s, t)
      return adamax(w, g, s, t, 0.9, 0.999, 0.002, 1e-8)
    end)
    check("adamax", { eta = 0.02, beta1 = 0.8, beta2 = 0.5, reg = "l1", lambda = 0.4, n = 8 },
      function(w, g, s, t, decayed)
        g = g + (decayed and L2 * (w > 0 and 1 or w < 0 and -1 or 0) or 0)
        return adamax(w, g, s, t, 0.8, 0.5, 0.02, 1e-8)
      end)
  end)
end)


-- The same steps through PyTorch's torch.optim (bench/optim_fixture.py
-- wrote the numbers): a Linear(3, 2) layer, its weight decayed, its bias not.
describe("optimisers against PyTorch's torch.optim on the same gradients", function()
  local fixture = dofile("spec/fixtures/optim/torch_steps.lua")

  local function grad(i, t)
    return math.sin(1.3 * i + 0.7 * t) * (1 + 0.2 * i)
  end

  -- float64 to 1e-10; the float32 kernels to the issue's 1e-6
  for _, case in ipairs(fixture.cases) do
    for _, dt in ipairs { { "float64", 1e-10 }, { "float32", 1e-6 } } do
      it(case.name .. " in " .. dt[1], function()
        local net = nn.Sequential({ nn.Linear(3, 2) }, { input = { 3 }, dtype = dt[1] }):net()
        local params, grads = net:parameters(), net:gradients()
        for i, v in ipairs(fixture.w0) do params[i] = v end
        local o = core.optimizer(net, case.opts)
        for t = 1, fixture.steps do
          for i = 1, #fixture.w0 do grads[i] = grad(i, t) end
          o:step(net)
          H.near(values(params), case.after[t], dt[2], case.name .. " step " .. t)
        end
      end)
    end
  end
end)
