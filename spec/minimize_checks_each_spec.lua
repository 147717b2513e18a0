-- lunet.minimize's option, gradient and Hessian checks: each bound of each
-- option on both sides (open ends refused, closed ends taken), and each
-- condition of a compound check firing alone.
local lunet = require "lunet"
local H = require "spec.helpers"
local minimize = lunet.minimize.minimize

-- (x1 - 1)^2 + (x2 + 2)^2
local function quad(x)
  local a, b = x[1] - 1, x[2] + 2
  return a * a + b * b, lunet.tensor({ 2 * a, 2 * b }, "float64")
end

local X0 = { 0, 0 }

local function refused(pattern, f, x0, o)
  local err = H.err(minimize, f, lunet.tensor(x0, "float64"), o)
  assert.truthy(err:find(pattern, 1, true), ("expected %q in: %s"):format(pattern, err))
end

local function taken(o, f)
  local ok, x = pcall(minimize, f or quad, lunet.tensor(X0, "float64"), o)
  assert.is_true(ok, tostring(x))
  return x
end

describe("minimize option bounds, each side alone", function()
  it("eta in (0, inf], mu in [0, 1], gtol in [0, inf], ftol in [0, 1]", function()
    refused("option eta must be in (0, inf], got 0", quad, X0, { method = "gd", eta = 0 })
    refused("option eta must be in (0, inf], got -1", quad, X0, { method = "gd", eta = -1 })
    taken { method = "gd", eta = 1e-300, max_iter = 1 }
    refused("option mu must be in [0, 1], got -0.1", quad, X0, { method = "momentum", mu = -0.1 })
    refused("option mu must be in [0, 1], got 1.1", quad, X0, { method = "momentum", mu = 1.1 })
    taken { method = "momentum", mu = 0, max_iter = 2 }
    taken { method = "momentum", mu = 1, max_iter = 2 }
    refused("option gtol must be in [0, inf], got -1", quad, X0, { gtol = -1 })
    taken { gtol = 0, max_iter = 3 }
    refused("option ftol must be in [0, 1], got 1.5", quad, X0, { ftol = 1.5 })
    refused("option ftol must be in [0, 1], got -0.5", quad, X0, { ftol = -0.5 })
    taken { ftol = 1, max_iter = 3 }
    for _, v in ipairs { "1", 0 / 0 } do
      refused("option gtol must be a number", quad, X0, { gtol = v })
    end
  end)

  it("c1 and c2 in (0, 1) with c1 < c2, each condition alone", function()
    refused("option c1 must be in (0, 1], got 0", quad, X0, { c1 = 0 })
    refused("option c2 must be in (0, 1], got 0", quad, X0, { c2 = 0 })
    refused("options need 0 < c1 < c2 < 1, got c1 = 0.0001, c2 = 1", quad, X0, { c2 = 1 })
    refused("options need 0 < c1 < c2 < 1, got c1 = 0.5, c2 = 0.5", quad, X0, { c1 = 0.5, c2 = 0.5 })
    refused("options need 0 < c1 < c2 < 1, got c1 = 0.6, c2 = 0.5", quad, X0, { c1 = 0.6, c2 = 0.5 })
    H.near(taken { c1 = 0.4, c2 = 0.5 }, { 1, -2 }, 1e-6)
  end)

  it("max_iter >= 0, max_evals >= 1 and m >= 1, as integers", function()
    refused("option max_iter must be at least 0, got -1", quad, X0, { max_iter = -1 })
    refused("option max_evals must be at least 1, got 0", quad, X0, { max_evals = 0 })
    refused("option m must be at least 1, got 0", quad, X0, { m = 0 })
    refused("option m must be an integer, got 1.5", quad, X0, { m = 1.5 })
    H.near(taken { max_iter = 0 }, X0, 0)
    taken { max_evals = 1 }
    H.near(taken { m = 1 }, { 1, -2 }, 1e-6)
    H.near(taken { m = 2.0 }, { 1, -2 }, 1e-6)
  end)
end)

describe("minimize result checks, each condition alone", function()
  it("the gradient must be a vector as long as x", function()
    refused("gradient has shape 2x1, expected 2 like x", function(x)
      return quad(x), lunet.zeros(2, 1, "float64")
    end, X0)
    refused("gradient has shape 3, expected 2 like x", function(x)
      return quad(x), lunet.zeros(3, "float64")
    end, X0)
    refused("f must return a gradient tensor as its second value, got table", function(x)
      return quad(x), { 0, 0 }
    end, X0)
  end)

  it("a Hessian must be an (n, n) tensor, each dimension checked alone", function()
    local function newton(hess) return { method = "newton", hess = hess } end
    local msg = "hess must return a (2, 2) tensor"
    refused(msg, quad, X0, newton(function() return { { 2, 0 }, { 0, 2 } } end))
    refused(msg, quad, X0, newton(function() return lunet.zeros(4, "float64") end))
    refused(msg, quad, X0, newton(function() return lunet.zeros(3, 2, "float64") end))
    refused(msg, quad, X0, newton(function() return lunet.zeros(2, 3, "float64") end))
    refused(msg, quad, X0, newton(function() return lunet.zeros(2, 2, 1, "float64") end))
    local x = minimize(quad, lunet.tensor(X0, "float64"),
      newton(function() return lunet.tensor({ { 2, 0 }, { 0, 2 } }, "float64") end))
    H.near(x, { 1, -2 }, 1e-12)
  end)
end)
