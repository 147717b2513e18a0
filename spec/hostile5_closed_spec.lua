-- A model whose network was closed (model:net():close(), or a <close>
-- variable), fifth round of hostile input: printing it never raises, and the
-- optimisation entry points name what happened.
local lunet = require "lunet"
local nn = lunet.nn
local H = require "spec.helpers"
local core = require "lunet.core"

local function problem()
  lunet.seed(2)
  local m = nn.Sequential({ nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Softmax() },
    { input = { 3 }, cost = "log_likelihood", dtype = "float64" })
  return m, { x = lunet.randn(6, 3, "float64"), y = lunet.tensor({ 0, 1, 1, 0, 1, 0 }) }
end

describe("a model whose network was closed", function()
  it("prints as such (tostring had raised 'calling info on bad self')", function()
    local m = problem()
    assert.matches("^Sequential%(3 %-> 2, 26 parameters", tostring(m))
    m:net():close()
    local text = tostring(m)
    assert.matches("^Sequential%(network closed%)", text)
    assert.matches("%(3%) Linear%(4 %-> 2%)", text)
  end)

  it("a <close> variable closes it at the end of its block", function()
    local m = problem()
    do
      local net <close> = m:net()
      assert.is_true(net:parameters():numel() == 26)
    end
    assert.matches("network closed", tostring(m))
  end)

  it("is named by lunet.optim's functions, and by an objective made before", function()
    local m, data = problem()
    local f, w = lunet.optim.objective(m, data)
    m:net():close()
    local closed = "the model's network has been closed"
    assert.matches("lunet.optim.objective: " .. closed, H.err(f, w))
    assert.matches(closed, H.err(lunet.optim.minimize, f, w))
    assert.matches("lunet.optim.objective: " .. closed, H.err(lunet.optim.objective, m, data))
    assert.matches("lunet.optim.hvp: " .. closed, H.err(lunet.optim.hvp, m, data, w))
    assert.matches("lunet.optim.hessian: " .. closed, H.err(lunet.optim.hessian, m, data))
    assert.matches("lunet.optim.get_params: " .. closed, H.err(lunet.optim.get_params, m))
    assert.matches("lunet.optim.set_params: " .. closed, H.err(lunet.optim.set_params, m, w))
    assert.matches("lunet.optim.optimizer: " .. closed, H.err(lunet.optim.optimizer, m, { kind = "adam" }))
  end)
end)

describe("opt:check(net)", function()
  it("passes for its own network and names every other argument: types, another network, a closed one", function()
    local m = problem()
    local other = problem()
    local opt = lunet.optim.optimizer(m, { kind = "adam" })
    opt:check(m:net())
    for _, bad in ipairs { { nil, "got nil" }, { 3, "got number" }, { "net", "got string" },
      { {}, "got table" }, { lunet.zeros(2), "got lunet.Tensor" }, { other:net(), "made for another network" } } do
      assert.matches(bad[2], H.err(opt.check, opt, bad[1]), nil, true)
    end
    assert.is_false(pcall(opt.check, 42, m:net()))   -- not an optimizer
    -- an __index that closes the network while the options are read: the
    -- optimizer is refused, nothing is touched
    local m2 = problem()
    local net2 = m2:net()
    local sneaky = setmetatable({}, { __index = function(_, k)
      if k == "kind" then net2:close() end
      return nil
    end })
    assert.is_false(pcall(core.optimizer, net2, sneaky))
    assert.matches("network has been closed", H.err(opt.check, opt, net2), nil, true)
  end)
end)
