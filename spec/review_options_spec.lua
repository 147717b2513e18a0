-- What the review of the option checks found: a cost the core refused
-- stayed behind as the model's cost.
local lunet = require "lunet"
local nn = require "lunet.nn"
local H = require "spec.helpers"

local function data()
  lunet.seed(10)
  return { x = lunet.rand(6, 4), y = lunet.tensor({ 0, 1, 2, 0, 1, 2 }) }
end

describe("model:set_cost refused by the core", function()
  it("keeps the cost the model had and names the method at the caller's line", function()
    local m = nn.Sequential({ nn.Linear(4, 3), nn.Softmax() }, { input = { 4 } })
    m:net()   -- built: the core checks the cost against the output layer
    local err = H.err(m.set_cost, m, "cross_entropy")
    assert.truthy(err:find("Sequential:set_cost: the cross-entropy cost needs sigmoid outputs", 1, true), err)
    assert.falsy(err:find("lua/lunet/", 1, true), err)
    assert.is_nil(m:cost())
    m:set_cost("log_likelihood")
    H.err(m.set_cost, m, "cross_entropy")
    assert.equal("log_likelihood", m:cost())
    assert.equal("log_likelihood", m:net():info().cost)
  end)
end)
