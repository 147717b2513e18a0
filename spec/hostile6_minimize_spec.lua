-- lunet.minimize under hostile input, sixth round: functions marked by
-- fresh_gradient that break its promise, callables behind a locked
-- metatable, a Hessian function that returns a closed tensor.
local lunet = require "lunet"
local mz = require "lunet.minimize"
local H = require "spec.helpers"

local minimize = lunet.optim.minimize
local METHODS = { "lbfgs", "cg", "bfgs", "newton", "gd", "momentum", "nesterov" }

-- 0.5 x'Dx, D = diag(1, 10, 100): curvature that L-BFGS and BFGS must learn
local D = lunet.tensor({ 1, 10, 100 }, "float64")
local function cost(x)
  return 0.5 * x:mul(x):mul_(D):sum()
end

describe("an f marked by fresh_gradient that breaks its promise", function()
  it("returning x itself or a view of x as the gradient is refused (it was closed under the search)", function()
    for _, method in ipairs(METHODS) do
      for _, view in ipairs { false, true } do
        local f = mz.fresh_gradient(function(x)
          local c = cost(x)
          x:mul_(D)                      -- the gradient, written over x
          return c, view and x:view(3) or x
        end)
        assert.matches("returned its argument x, or a view of it, as the gradient %(evaluation 1%)",
          H.err(minimize, f, { 1, 1, 1 }, { method = method, eta = 0.001 }), nil, method)
      end
    end
  end)

  it("returning views of one buffer it reuses is refused (y = 0: BFGS learnt nothing, silently)", function()
    for _, method in ipairs(METHODS) do
      local buf = lunet.zeros(3, "float64")
      local f = mz.fresh_gradient(function(x)
        buf:copy(x):mul_(D)
        return cost(x), buf:view(3)
      end)
      assert.matches("returned a gradient in the storage of an earlier one %(evaluation 2%)",
        H.err(minimize, f, { 1, 1, 1 }, { method = method, eta = 0.001 }), nil, method)
    end
  end)

  it("closing its argument is refused, naming the promise", function()
    local f = mz.fresh_gradient(function(x)
      local c, g = cost(x), x:mul(D)
      x:close()
      return c, g
    end)
    assert.matches("closed its argument x %(evaluation 1%)", H.err(minimize, f, { 1, 1, 1 }))
  end)

  it("one that keeps it is still minimised (a float32 or strided gradient is copied)", function()
    for _, method in ipairs(METHODS) do
      local f = mz.fresh_gradient(function(x) return cost(x), x:mul(D) end)
      local x = minimize(f, { 1, 1, 1 }, { method = method, eta = 0.009, max_iter = 5000 })
      assert.is_true(x:norm() < 1e-5, method)
      -- (newton's differences of float32 gradients are noise: not that)
      local g32 = mz.fresh_gradient(function(y) return cost(y), y:mul(D):to("float32") end)
      x = minimize(g32, { 1, 1, 1 }, { method = method == "newton" and "bfgs" or method, eta = 0.009,
        max_iter = 5000, gtol = 1e-4 })
      assert.is_true(x:norm() < 1e-3, method)
    end
  end)

  it("optim.objective's f is not refused", function()
    local model = lunet.Network { 2, 3, 1 }
    model:set_cost("quadratic")
    local data = { x = lunet.tensor({ { 0, 1 }, { 1, 0 }, { 1, 1 } }), y = lunet.tensor({ { 1 }, { 1 }, { 0 } }) }
    local f, w0 = lunet.optim.objective(model, data)
    for _, method in ipairs(METHODS) do
      local _, h = minimize(f, w0, { method = method, max_iter = 5 })
      assert.is_true(h.cost[#h.cost] <= h.cost[1], method)
    end
  end)
end)

describe("callables", function()
  it("behind a __metatable field are taken (a number there had raised 'attempt to index')", function()
    for _, locked in ipairs { 5, "locked", false } do
      local f = setmetatable({}, { __call = function(_, x) return x:dot(x), x:mul(2) end, __metatable = locked })
      local x = minimize(f, { 1, 2 })
      assert.is_true(x:norm() < 1e-6)
      assert.are.equal(f, mz.fresh_gradient(f))
    end
    assert.matches("f must be a function, got table",
      H.err(minimize, setmetatable({}, { __metatable = { __call = print } }), { 1 }))
  end)
end)

describe("a Hessian function", function()
  it("returning a closed tensor is named (dim had raised on it)", function()
    assert.matches("minimize: hess returned a closed tensor", H.err(minimize, function(x)
      return x:dot(x), x:mul(2)
    end, { 1, 2 }, { method = "newton", hess = function()
      local h = lunet.zeros(2, 2, "float64")
      h:close()
      return h
    end }))
  end)
end)

describe("integer costs", function()
  it("are compared as floats: a difference that wraps around is no convergence on ftol", function()
    -- maxinteger at x0, then -1: maxinteger - (-1) wrapped to mininteger, whose abs is negative
    local function f(x)
      local v = x[1]
      return v > 0.5 and math.maxinteger or -1, lunet.tensor({ v > 0.5 and 2 * v or 1e-3 }, "float64")
    end
    for _, method in ipairs { "lbfgs", "cg", "bfgs", "gd" } do
      local _, h = minimize(f, { 1 }, { method = method, ftol = 1e-9, eta = 0.3, max_iter = 3 })
      assert.are_not.equal("relative cost change below ftol", h.iterations == 1 and h.reason or nil, method)
      assert.are.equal("float", math.type(h.cost[1]), method)
    end
  end)
end)

describe("BFGS and Newton on a long x", function()
  it("are refused before f runs past n = 16384 (BFGS's outer products had made four (n, n) matrices)", function()
    local function f() error("f ran") end
    for _, method in ipairs { "bfgs", "newton" } do
      assert.matches("method " .. method .. " keeps %(n, n%) matrices, 2%.1 GB each for n = 16385: at most "
        .. "n = 16384 %(use lbfgs%)", H.err(minimize, f, lunet.zeros(16385, "float64"), { method = method }))
    end
    assert.matches("f ran", H.err(minimize, f, lunet.zeros(16385, "float64"), { method = "lbfgs" }))
  end)

  it("BFGS's in-place update follows the same path (a 300-d quadratic)", function()
    local d = lunet.zeros(300, "float64")
    for i = 1, 300 do d[i] = i end
    local x, h = minimize(function(x) return 0.5 * x:mul(x):mul_(d):sum(), x:mul(d) end,
      lunet.ones(300, "float64"), { method = "bfgs", max_iter = 2000 })
    assert.is_true(h.converged, h.reason)
    assert.is_true(x:norm() < 1e-6)
  end)
end)

describe("an f marked by fresh_gradient that closes a gradient it returned", function()
  it("is named (the minimiser's next use of it had raised 'calling neg on bad self')", function()
    for _, method in ipairs(METHODS) do
      local last
      local f = mz.fresh_gradient(function(x)
        if last then last:close() end
        last = x:mul(D)
        return cost(x), last
      end)
      assert.matches("closed a gradient it had returned %(evaluation 2%)",
        H.err(minimize, f, { 1, 1, 1 }, { method = method, eta = 0.001 }), nil, method)
    end
  end)
end)
