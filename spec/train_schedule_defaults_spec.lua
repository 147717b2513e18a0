-- The learning-rate schedule's and early stopping's defaults (patience 10,
-- factor 0.5, stop at eta / 128), seen on a run whose validation accuracy
-- never improves after the first epoch (its parameters are put back after
-- every epoch).
local lunet = require "lunet"

local function run(o)
  lunet.seed(1)
  local net = lunet.Network({ 1, 2 }, { dtype = "float64" })
  local w, b = net.weights[1]:clone(), net.biases[1]:clone()
  local data = { x = lunet.tensor({ { 0 }, { 1 } }, "float64"), y = lunet.tensor({ 0, 1 }) }
  local opts = { epochs = 200, batch = 2, eta = 0.5, verbose = false, progress = false, evaluation_data = data,
    monitor_evaluation_accuracy = true,
    on_epoch = function()
      net.weights[1]:copy(w)
      net.biases[1]:copy(b)
    end }
  for k, v in pairs(o) do opts[k] = v end
  local _, _, _, _, h = lunet.train.sgd(net, data, opts)
  return h
end

describe("schedule and early-stopping defaults", function()
  it("halve eta after 10 stale epochs and stop once it is eta / 128", function()
    local h = run { schedule = {} }
    assert.are.equal("schedule", h.stopped)
    assert.are.equal(71, #h.epoch)
    for e = 1, 71 do
      local halvings = e <= 11 and 0 or (e - 2) // 10
      assert.are.equal(0.5 / 2 ^ halvings, h.eta[e], "eta of epoch " .. e)
    end
    assert.are.equal(1, h.best_epoch)
  end)

  it("take patience, factor and stop_ratio each on its own", function()
    local h = run { schedule = { patience = 3 } }
    assert.are.equal(1 + 3 * 7, #h.epoch)
    h = run { schedule = { factor = 0.25 } }
    -- eta / 4, / 16, / 64, / 256 <= / 128: the 4th cut stops, after 41 epochs
    assert.are.equal(41, #h.epoch)
    assert.are.equal(0.5 / 64, h.eta[41])
    h = run { schedule = { stop_ratio = 4 } }
    assert.are.equal(21, #h.epoch)
    assert.are.equal(0.25, h.eta[21])
  end)

  it("early stopping after n stale epochs", function()
    local h = run { early_stopping = 5 }
    assert.are.equal("early stopping", h.stopped)
    assert.are.equal(6, #h.epoch)
  end)
end)
