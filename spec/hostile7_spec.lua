-- lunet's optimisation API under hostile input, seventh round: optimizer
-- objects changed by a call that was then refused.
local lunet = require "lunet"
local nn = lunet.nn
local H = require "spec.helpers"

local function model()
  lunet.seed(3)
  return nn.Sequential({ nn.Linear(4, 3), nn.Softmax() }, { input = { 4 }, cost = "log_likelihood" })
end

local function data()
  return { x = lunet.rand(6, 4), y = lunet.tensor({ 0, 1, 2, 0, 1, 2 }) }
end

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
