-- lunet.minimize under hostile input, fifth round: a history length that
-- would fill the machine's memory, starting lists that lie about their
-- length, costs of -inf and closed tensors from f.
local lunet = require "lunet"
local H = require "spec.helpers"

local minimize = lunet.optim.minimize

local function quad(x)
  return x:dot(x), x:mul(2)
end

describe("minimize's L-BFGS history", function()
  it("m = 2e6 or maxinteger runs as m = max_iter would (it had allocated a row per pair up front)", function()
    local ref, href = minimize(quad, { 1, 2, 3 }, { m = 1000 })
    for _, m in ipairs { 2e6, math.maxinteger } do
      local t0 = os.clock()
      local x, h = minimize(quad, { 1, 2, 3 }, { m = m })
      assert.is_true(os.clock() - t0 < 2)
      assert.are.equal(href.reason, h.reason)
      assert.are.same(href.cost, h.cost)
      assert.are.same(ref:totable(), x:totable())
    end
  end)

  it("m larger than max_iter keeps every pair, as m = max_iter does", function()
    local function rosen(x)
      local a, b = x[1], x[2]
      local g = lunet.tensor({ -2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a) }, "float64")
      return (1 - a) ^ 2 + 100 * (b - a * a) ^ 2, g
    end
    local x1, h1 = minimize(rosen, { -1.2, 1 }, { m = 30, max_iter = 30 })
    local x2, h2 = minimize(rosen, { -1.2, 1 }, { m = 1e6, max_iter = 30 })
    assert.are.same(h1.cost, h2.cost)
    assert.are.same(x1:totable(), x2:totable())
  end)

  it("an m that the budgets do not bound is refused with its limit", function()
    assert.matches("option m must be at most 2%^16", H.err(minimize, quad, { 1, 2 },
      { m = math.maxinteger, max_iter = math.maxinteger, max_evals = math.maxinteger }))
    assert.matches("option m must be at most 2%^16", H.err(minimize, quad, { 1, 2 },
      { m = 2 ^ 16 + 1, max_iter = 2 ^ 16 + 1, max_evals = 2 ^ 16 + 1 }))
    -- the bound itself is taken (4 x 2^16 values of history are allocated)
    local x = minimize(quad, { 1, 2 }, { m = 2 ^ 16, max_iter = math.maxinteger, max_evals = 2 ^ 16 })
    assert.is_true(x:norm() < 1e-6)
  end)
end)

describe("minimize's starting point", function()
  it("a list whose __len claims 2^63 entries is read raw, not walked (it had hung)", function()
    local liar = setmetatable({}, { __len = function() return math.maxinteger end, __index = function() return 1 end })
    assert.matches("x0 is empty", H.err(minimize, quad, liar))
    local partly = setmetatable({ 3, 4 }, { __len = function() return math.maxinteger end })
    local x = minimize(quad, partly)
    assert.are.equal(2, x:numel())
  end)

  it("a closed x0 is named", function()
    local x0 = lunet.tensor({ 1, 2 }, "float64")
    x0:close()
    assert.matches("minimize: x0 has been closed", H.err(minimize, quad, x0))
  end)
end)

describe("what f returns", function()
  it("-inf is an error naming the evaluation, for line searches and fixed steps", function()
    local function dive(x)
      if x[1] < 0.5 then return -math.huge, x:mul(2) end
      return x:dot(x), x:mul(2)
    end
    for _, method in ipairs { "lbfgs", "bfgs", "cg", "newton", "gd", "momentum", "nesterov" } do
      assert.matches("f returned %-inf: it is unbounded below %(evaluation %d+%)",
        H.err(minimize, dive, { 1, 2 }, { method = method, eta = 0.3 }), nil, method)
    end
    assert.matches("evaluation 1", H.err(minimize, function(x) return -math.huge, x:mul(0) end, { 1 }))
  end)

  it("a closed gradient tensor is named", function()
    assert.matches("f returned a closed gradient tensor %(evaluation 1%)", H.err(minimize, function(x)
      local g = x:mul(2)
      g:close()
      return x:dot(x), g
    end, { 1, 2 }))
  end)

  it("f may close the copy of x it was given", function()
    local x = minimize(function(x)
      local c, g = x:dot(x), x:mul(2)
      x:close()
      return c, g
    end, { 1, 2 })
    assert.is_true(x:norm() < 1e-6)
  end)
end)
