-- What a newcomer following the README's optimisation sections tripped on:
-- minimize's value errors had no position (its option-key errors had one),
-- a string option was shown as a number ("got 100"), a colon call
-- (lunet.minimize:minimize) was blamed on the options, an optimizer method
-- called with a dot (opt.step(net)) or given the model got Lua's "bad
-- argument", and SGD's missing eta was refused as a 0 never given.
local lunet = require "lunet"
local H = require "spec.helpers"

local function rosenbrock(x)
  local a, b = x[1], x[2]
  return (1 - a) ^ 2 + 100 * (b - a * a) ^ 2,
    lunet.tensor({ -2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a) }, "float64")
end

-- The message of f(...)'s error, which must be placed at this file's line.
local function here(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  err = tostring(err)
  assert.truthy(err:find("^[^\n]*newcomer_optim_spec%.lua:%d+: "), err)
  return (err:gsub("^[^\n]-:%d+: ", ""))
end

describe("lunet.minimize as the README's Minimisers section uses it", function()
  it("places every refusal at the caller's line, as its option-key errors are", function()
    assert.are.equal('minimize: option h0 must be "ss/sy" or "sy/yy", got the string \'sy/ss\'',
      here(lunet.minimize, rosenbrock, { -1.2, 1 }, { h0 = "sy/ss" }))
    assert.are.equal('minimize: option h0 is for method = "lbfgs"',
      here(lunet.minimize, rosenbrock, { -1.2, 1 }, { method = "bfgs", h0 = "sy/yy" }))
    assert.are.equal("minimize: f returned a NaN cost (evaluation 1)",
      here(lunet.minimize, function(x) return 0 / 0, x end, { 1, 2 }))
    assert.truthy(here(lunet.minimize, rosenbrock, { -1.2, 1 }, { H0 = "sy/yy" }):find("did you mean 'h0'?", 1, true))
  end)

  it("says 'an integer key' for an option list given by position", function()
    assert.truthy(here(lunet.minimize, rosenbrock, { -1.2, 1 }, { "bfgs" }):find(
      "minimize: option keys must be names, got an integer key (valid: ", 1, true))
  end)

  it("shows a string option value as a string", function()
    assert.are.equal("minimize: option max_iter must be an integer, got the string '100'",
      here(lunet.minimize, rosenbrock, { -1.2, 1 }, { max_iter = "100" }))
    assert.are.equal("minimize: option gtol must be a number, got the string '1e-6'",
      here(lunet.minimize, rosenbrock, { -1.2, 1 }, { gtol = "1e-6" }))
  end)

  it("says to call it with a dot when called with a colon", function()
    local want = "minimize: call it with a dot, not a colon (lunet.minimize.minimize(f, x0, opts)): it got the "
      .. "module where f goes"
    assert.are.equal(want, here(function() return lunet.minimize:minimize(rosenbrock, { -1.2, 1 }) end))
    assert.are.equal(want, here(function() return lunet.optim:minimize(rosenbrock, { -1.2, 1 }) end))
  end)

  it("has a help text that gives each option's method, and path none", function()
    local text = require("lunet.doc").get(lunet.minimize.minimize).text:gsub("\n", " ")
    assert.truthy(text:find('hess (newton), scale_h0 (bfgs), h0 = "ss/sy" (lbfgs; or "sy/yy"), path.', 1, true), text)
    assert.is_nil(text:find("path (bfgs", 1, true), text)
  end)

  it("stops a fixed-step method that diverges, with the reason the README gives", function()
    local _, h = lunet.minimize(rosenbrock, { -1.2, 1 }, { method = "gd" })
    assert.are.equal("diverged (infinite cost)", h.reason)
    assert.are.equal(5, h.iterations)
    assert.is_false(h.converged)
    assert.truthy(H.read("README.md"):find('`reason = "diverged (infinite cost)"`', 1, true))
  end)
end)

describe("lunet.train.sgd's eta", function()
  it("says when it is missing that plain SGD has no default, and shows a wrong value", function()
    local net = lunet.Network { 4, 3, 2 }
    local set = { x = lunet.rand(4, 4), y = lunet.tensor { 0, 1, 0, 1 }, n = 4 }
    assert.are.equal("lunet.train.sgd: eta must be a finite positive number, and plain SGD has no default: give eta "
      .. "(the adaptive optimizers default to PyTorch's)", here(lunet.train.sgd, net, set, { epochs = 1 }))
    assert.are.equal("lunet.train.sgd: eta must be a finite positive number, got the string '0.1'",
      here(lunet.train.sgd, net, set, { epochs = 1, eta = "0.1" }))
    assert.are.equal("lunet.train.sgd: eta must be a finite positive number, got -1",
      here(lunet.train.sgd, net, set, { epochs = 1, eta = -1 }))
  end)
end)

describe("lunet.optim's functions called with a colon", function()
  it("say to call them with a dot (objective named the data set's keys as unknown options)", function()
    local net = lunet.Network { 4, 3, 2 }
    local set = { x = lunet.rand(5, 4), y = lunet.tensor { 0, 1, 0, 1, 0 }, n = 5 }
    for _, name in ipairs { "objective", "hvp", "hessian", "newton_step", "optimizer", "get_params", "set_params" } do
      local msg = here(function() return lunet.optim[name](lunet.optim, net, set) end)
      assert.are.equal(("lunet.optim.%s: call it with a dot, lunet.optim.%s(model, ...), not a colon: it got the "
        .. "module where the model goes"):format(name, name), msg)
    end
  end)
end)

describe("lunet.optim.optimizer's objects as the README uses them", function()
  local net = lunet.Network { 4, 3, 2 }
  local opt = lunet.optim.optimizer(net, { kind = "adam", eta = 0.01 })

  it("say to call a method with a colon when it is called with a dot", function()
    assert.are.equal("step: call it with a colon, opt:step(...), not opt.step(...): it got a lunet.Net where the "
      .. "optimizer goes", here(function() return opt.step(net:net()) end))
    assert.are.equal("set_eta: call it with a colon, opt:set_eta(...), not opt.set_eta(...): it got a number "
      .. "where the optimizer goes", here(function() return opt.set_eta(0.1) end))
    for _, name in ipairs { "eta", "kind", "steps", "state", "velocity", "get", "set", "check" } do
      local msg = here(function() return opt[name]() end)
      assert.are.equal(("%s: call it with a colon, opt:%s(...), not opt.%s(...): it got nothing where the "
        .. "optimizer goes"):format(name, name, name), msg)
    end
    -- called rightly they work
    opt:step(net:net())
    assert.are.equal(1, opt:steps())
    assert.are.equal(0.01, opt:eta())
  end)

  it("print as their kind, learning rate and steps taken", function()
    local o = lunet.optim.optimizer(net, { kind = "sgd", eta = 0.5, momentum = 0.9 })
    assert.are.equal("Optimizer(sgd, eta 0.5, 0 steps)", tostring(o))
    o:step(net:net())
    assert.are.equal("Optimizer(sgd, eta 0.5, 1 step)", tostring(o))
  end)

  it("step names model:net() when given the model", function()
    assert.are.equal("step: takes the model's network, opt:step(model:net()), got a Network",
      here(function() return opt:step(net) end))
  end)

  it("say that sgd has no default eta, and suggest a misspelt key or kind", function()
    local want = 'lunet.optim.optimizer: kind sgd (the default) has no default eta: give one, '
      .. '{kind = "sgd", eta = 0.1}'
    assert.are.equal(want, here(lunet.optim.optimizer, net, {}))
    assert.are.equal(want, here(lunet.optim.optimizer, net, { kind = "sgd", momentum = 0.9 }))
    assert.truthy(here(lunet.optim.optimizer, net, { knd = "adam" }):find("; did you mean 'kind'?", 1, true))
    assert.truthy(here(lunet.optim.optimizer, net, { kind = "adma" }):find("; did you mean 'adam'?", 1, true))
    assert.truthy(here(lunet.optim.optimizer, net, { kind = "sgd", eta = 0 }):find("eta must be in (0, inf), not 0",
      1, true))
  end)

  it("get a misspelt optimizer, or a key of its table, suggested in train.sgd's options too", function()
    local set = { x = lunet.rand(4, 4), y = lunet.tensor { 0, 1, 0, 1 }, n = 4 }
    local function sgd(optimizer)
      return here(lunet.train.sgd, net, set, { epochs = 1, eta = 0.1, verbose = false, optimizer = optimizer })
    end
    assert.truthy(sgd("adma"):find("unknown optimizer 'adma' (sgd, adagrad, rmsprop, adam, adamw, adamax); did you "
      .. "mean 'adam'?", 1, true))
    assert.truthy(sgd({ kind = "adam", beta = 0.8 }):find("unknown option 'beta' (valid: ", 1, true))
    assert.truthy(sgd({ kind = "adam", beta = 0.8 }):find("; did you mean 'beta1'?", 1, true))
  end)
end)
