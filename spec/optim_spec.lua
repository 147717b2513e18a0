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
    assert.are.same({ "sgd" }, core.optimizer_kinds)
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
end)
