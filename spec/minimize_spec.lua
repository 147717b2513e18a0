-- lunet.minimize on Rosenbrock's function and on a badly conditioned
-- quadratic; the strong Wolfe conditions re-checked at every accepted step.
local lunet = require "lunet"
local H = require "spec.helpers"
local minimize = lunet.minimize.minimize

local function rosenbrock(x)
  local a, b = x[1], x[2]
  local c = (1 - a) ^ 2 + 100 * (b - a * a) ^ 2
  return c, lunet.tensor({ -2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a) }, "float64")
end

local function rosenbrock_hess(x)
  local a, b = x[1], x[2]
  return lunet.tensor({ { 2 - 400 * (b - 3 * a * a), -400 * a }, { -400 * a, 200 } }, "float64")
end

-- x'Ax/2 - b'x with A = Q diag(d) Q^T (Q: seeded Householder reflections),
-- eigenvalues geometric from 1 to cond. Returns f, A, b.
local function quadratic(n, cond, seed)
  local a, b = H.conditioned_quadratic(n, cond, seed or 5)
  local function f(x)
    local ax = lunet.mv(a, x)
    return 0.5 * x:dot(ax) - b:dot(x), ax:sub_(b)
  end
  return f, a, b
end

local function tensor(list) return lunet.tensor(list, "float64") end

describe("lunet.minimize", function()
  it("is reachable as lunet.minimize.minimize", function()
    assert.are.equal("function", type(lunet.minimize.minimize))
  end)

  it("is also callable itself, as lunet.minimize(f, x0, options)", function()
    local f = function(x) return 0.5 * x:dot(x), x:clone() end
    local x, h = lunet.minimize(f, { 3, -4 }, { method = "bfgs" })
    local y, g = lunet.minimize.minimize(f, { 3, -4 }, { method = "bfgs" })
    assert.are.same(y:totable(), x:totable())
    assert.are.same(g.cost, h.cost)
    assert.has_error(function() lunet.minimize(nil, { 1 }) end, "minimize: f must be a function, got nil")
  end)

  describe("Rosenbrock from (-1.2, 1)", function()
    local cases = {
      { method = "cg" }, { method = "bfgs" }, { method = "bfgs", scale_h0 = true },
      { method = "lbfgs" }, { method = "lbfgs", h0 = "sy/yy" }, { method = "lbfgs", m = 3 },
      { method = "newton" }, { method = "newton", hess = rosenbrock_hess },
      { method = "momentum", eta = 1e-3, mu = 0.9, max_iter = 10000 },
      { method = "nesterov", eta = 1e-3, mu = 0.9, max_iter = 10000 },
    }
    for _, o in ipairs(cases) do
      local name = o.method .. (o.hess and " (exact Hessian)" or "") .. (o.m and " m = 3" or "")
        .. (o.scale_h0 and " scaled H0" or "") .. (o.h0 and " h0 = " .. o.h0 or "")
      it(name .. " converges to (1, 1)", function()
        local x, h = minimize(rosenbrock, { -1.2, 1 }, o)
        assert.is_true(h.converged, h.reason)
        assert.are.equal("gradient norm below gtol", h.reason)
        assert.is_true(h.grad_norm[#h.grad_norm] <= 1e-6)
        H.near(x, { 1, 1 }, 1e-5)
        assert.are.equal(h.iterations + 1, #h.cost)
        assert.are.equal(h.evaluations, h.nfev[#h.nfev])
        assert.is_true(h.cost[#h.cost] < 1e-11)
      end)
    end

    it("Newton with the exact Hessian takes fewer evaluations than with differences", function()
      local _, exact = minimize(rosenbrock, { -1.2, 1 }, { method = "newton", hess = rosenbrock_hess })
      local _, diff = minimize(rosenbrock, { -1.2, 1 }, { method = "newton" })
      assert.is_true(exact.evaluations < diff.evaluations)
      assert.is_true(exact.iterations < 40)
    end)

    it("gradient descent with a fixed eta only gets close in 2000 steps", function()
      local x, h = minimize(rosenbrock, { -1.2, 1 }, { method = "gd", eta = 1e-3, max_iter = 2000 })
      assert.is_false(h.converged)
      assert.are.equal("max_iter reached", h.reason)
      assert.are.equal(2000, h.iterations)
      assert.is_true(h.cost[#h.cost] < 0.1 and h.cost[#h.cost] > 1e-3)   -- measured: 0.078
      assert.is_true(math.abs(x[1] - 1) < 0.3)                            -- measured: 0.72
      for k = 2, #h.cost do assert.is_true(h.cost[k] <= h.cost[k - 1]) end   -- small eta: monotone
    end)

    it("satisfies the strong Wolfe conditions at every accepted step", function()
      for _, method in ipairs { "cg", "bfgs", "lbfgs", "newton" } do
        local c2 = method == "cg" and 0.1 or 0.9
        local _, h = minimize(rosenbrock, { -1.2, 1 }, { method = method, path = true })
        assert.are.equal(#h.cost, #h.path)
        for k = 1, #h.path - 1 do
          local x0, x1 = tensor(h.path[k]), tensor(h.path[k + 1])
          local f0, g0 = rosenbrock(x0)
          local f1, g1 = rosenbrock(x1)
          local s = x1:sub(x0)
          local slope0, slope1 = g0:dot(s), g1:dot(s)
          assert.is_true(slope0 < 0, method .. ": not a descent step at " .. k)
          assert.is_true(f1 <= f0 + 1e-4 * slope0 + 1e-13 * math.abs(f0), method .. ": sufficient decrease at " .. k)
          assert.is_true(math.abs(slope1) <= c2 * math.abs(slope0), method .. ": curvature at " .. k)
          H.near(h.cost[k + 1], f1, 1e-15)
          H.near(h.step[k + 1], s:norm(), 1e-12)
        end
      end
    end)
  end)

  it("Newton damps an indefinite Hessian and goes downhill, not to the saddle", function()
    -- f = x^4/4 - x^2/2 + y^2/2: at x = 0.1 the Hessian diag(3x^2 - 1, 1) is
    -- indefinite and the plain Newton step heads for the saddle at x = 0
    local function f(p)
      local x, y = p[1], p[2]
      return x ^ 4 / 4 - x * x / 2 + y * y / 2, tensor({ x ^ 3 - x, y })
    end
    for _, hess in ipairs { false, true } do
      local o = { method = "newton", path = true }
      if hess then o.hess = function(p) return tensor({ { 3 * p[1] ^ 2 - 1, 0 }, { 0, 1 } }) end end
      local x, h = minimize(f, { 0.1, 1 }, o)
      assert.is_true(h.converged, h.reason)
      H.near(x, { 1, 0 }, 1e-5)
      assert.is_true(h.path[2][1] > 0.1)          -- the first step already moved away from x = 0
      for k = 2, #h.cost do assert.is_true(h.cost[k] < h.cost[k - 1]) end
    end
  end)

  describe("a 100-dimensional quadratic with condition number 1000", function()
    local f, a, b = quadratic(100, 1000)
    local xstar = lunet.linalg.solve(a, b)
    for _, method in ipairs { "cg", "bfgs", "lbfgs" } do
      it(method .. " converges to A^-1 b", function()
        local x, h = minimize(f, lunet.zeros(100, "float64"), { method = method, gtol = 1e-7 })
        assert.is_true(h.converged, h.reason)
        -- |x - x*| <= |grad| / lambda_min = 1e-7
        assert.is_true(x:sub(xstar):norm() < 2e-7)
        assert.is_true(h.iterations < 1000)
      end)
    end

    it("keeps the strong Wolfe conditions there too", function()
      for _, method in ipairs { "cg", "bfgs", "lbfgs" } do
        local c2 = method == "cg" and 0.1 or 0.9
        local _, h = minimize(f, lunet.zeros(100, "float64"), { method = method, path = true, gtol = 1e-5 })
        for k = 1, #h.path - 1 do
          local x0, x1 = tensor(h.path[k]), tensor(h.path[k + 1])
          local f0, g0 = f(x0)
          local f1, g1 = f(x1)
          local s = x1:sub(x0)
          local slope0, slope1 = g0:dot(s), g1:dot(s)
          assert.is_true(f1 <= f0 + 1e-4 * slope0 + 1e-13 * math.abs(f0), method .. ": sufficient decrease at " .. k)
          assert.is_true(math.abs(slope1) <= c2 * math.abs(slope0), method .. ": curvature at " .. k)
        end
      end
    end)

    it("Newton with the exact Hessian solves it in one step", function()
      local x, h = minimize(f, lunet.zeros(100, "float64"), { method = "newton", hess = function() return a end })
      assert.are.equal(1, h.iterations)
      assert.are.equal(1, h.alpha[2])
      assert.is_true(x:sub(xstar):norm() < 1e-9)
    end)
  end)

  it("CG with an exact line search ends in at most n iterations on a quadratic", function()
    for _, n in ipairs { 5, 12 } do
      local f, a, b = quadratic(n, 50, n)
      -- c2 tiny: the cubic interpolation is exact on a quadratic, so the
      -- line search returns the minimiser along the direction (to 1e-7)
      local x, h = minimize(f, lunet.zeros(n, "float64"), { method = "cg", c2 = 1e-7, c1 = 1e-10, gtol = 1e-7 })
      assert.is_true(h.converged, h.reason)
      assert.is_true(h.iterations <= n, ("%d iterations for n = %d"):format(h.iterations, n))
      assert.is_true(x:sub(lunet.linalg.solve(a, b)):norm() < 1e-6)
    end
  end)

  it("takes the textbook fixed steps (gd, momentum, Nesterov) on x^2/2", function()
    local function half_square(x) return 0.5 * x:dot(x), x:clone() end
    local eta, mu = 0.1, 0.5
    local _, h = minimize(half_square, { 1 }, { method = "gd", eta = eta, max_iter = 2, path = true })
    H.near({ h.path[2][1], h.path[3][1] }, { 0.9, 0.81 }, 1e-15)
    _, h = minimize(half_square, { 1 }, { method = "momentum", eta = eta, mu = mu, max_iter = 2, path = true })
    -- v1 = -0.1, x1 = 0.9; v2 = 0.5 v1 - 0.1 * 0.9 = -0.14, x2 = 0.76
    H.near({ h.path[2][1], h.path[3][1] }, { 0.9, 0.76 }, 1e-15)
    _, h = minimize(half_square, { 1 }, { method = "nesterov", eta = eta, mu = mu, max_iter = 2, path = true })
    -- look-ahead form: v1 = -0.1, y1 = 1 - 0.1 + 0.5 v1 = 0.85;
    -- v2 = 0.5 v1 - 0.1 * 0.85 = -0.135, y2 = 0.85 - 0.085 + 0.5 v2 = 0.6975
    H.near({ h.path[2][1], h.path[3][1] }, { 0.85, 0.6975 }, 1e-15)
    assert.are.equal(0.1, h.alpha[2])
  end)

  it("stops on max_iter, max_evals and ftol, and records the history", function()
    local _, h = minimize(rosenbrock, { -1.2, 1 }, { method = "bfgs", max_iter = 5 })
    assert.are.equal("max_iter reached", h.reason)
    assert.are.equal(5, h.iterations)
    for _, key in ipairs { "cost", "grad_norm", "step", "alpha", "nfev", "seconds" } do
      assert.are.equal(6, #h[key], key)
    end
    assert.is_nil(h.path)
    for k = 2, 6 do
      assert.is_true(h.cost[k] < h.cost[k - 1])
      assert.is_true(h.nfev[k] > h.nfev[k - 1] and h.seconds[k] >= h.seconds[k - 1])
    end
    _, h = minimize(rosenbrock, { -1.2, 1 }, { method = "cg", max_evals = 20 })
    assert.are.equal("max_evals reached", h.reason)
    assert.is_false(h.converged)
    assert.is_true(h.evaluations <= 20)
    _, h = minimize(rosenbrock, { -1.2, 1 }, { method = "lbfgs", ftol = 1e-3 })
    assert.are.equal("relative cost change below ftol", h.reason)
    assert.is_true(h.converged)
    _, h = minimize(rosenbrock, lunet.ones(2, "float32"), {})
    assert.are.equal(0, h.iterations)
    assert.are.equal("gradient norm below gtol", h.reason)
  end)

  it("takes x0 as a table or any tensor, and leaves it alone", function()
    local x0 = lunet.tensor({ -1.2, 1 })
    local x = minimize(rosenbrock, x0, { method = "lbfgs" })
    assert.are.equal("float64", x:dtype())
    H.near(x0, { -1.2, 1 }, 1e-7)
    H.near(x, { 1, 1 }, 1e-5)
  end)

  it("raises clear errors on bad input", function()
    local function err(...) return H.err(minimize, ...) end
    assert.matches("minimize: f must return a number and a gradient, got a string",
      err(function() return "x", lunet.zeros(2, "float64") end, { 1, 2 }))
    assert.matches("minimize: f returned a NaN cost", err(function(x) return 0 / 0, x end, { 1, 2 }))
    assert.matches("minimize: gradient has shape 3, expected 2",
      err(function() return 1, lunet.zeros(3, "float64") end, { 1, 2 }))
    assert.matches("minimize: gradient has shape 2x1, expected 2",
      err(function() return 1, lunet.zeros(2, 1, "float64") end, { 1, 2 }))
    assert.matches("gradient tensor as its second value, got table", err(function() return 1, { 1, 2 } end, { 1, 2 }))
    assert.matches("non%-finite gradient", err(function(x) return 1, x:mul(math.huge) end, { 1, 2 }))
    local calls = 0
    assert.matches("f returned a NaN cost %(evaluation 3%)", err(function(x)
      calls = calls + 1
      return calls < 3 and x:dot(x) or 0 / 0, x:mul(2)
    end, { 1, 2 }, { method = "bfgs" }))
    assert.matches("minimize: unknown option 'etaa'", err(rosenbrock, { 1, 2 }, { etaa = 1 }))
    assert.matches("minimize: unknown method 'adam'", err(rosenbrock, { 1, 2 }, { method = "adam" }))
    assert.matches("option h0 must be \"ss/sy\" or \"sy/yy\", got the string 'yy'",
      err(rosenbrock, { 1, 2 }, { h0 = "yy" }))
    assert.matches("option h0 must be \"ss/sy\" or \"sy/yy\", got 1", err(rosenbrock, { 1, 2 }, { h0 = 1 }))
    assert.matches("option h0 is for method = \"lbfgs\"", err(rosenbrock, { 1, 2 }, { method = "bfgs", h0 = "sy/yy" }))
    assert.matches("option eta must be in %(0, inf%], got %-1", err(rosenbrock, { 1, 2 }, { method = "gd", eta = -1 }))
    assert.matches("option m must be an integer", err(rosenbrock, { 1, 2 }, { m = 2.5 }))
    assert.matches("0 < c1 < c2 < 1", err(rosenbrock, { 1, 2 }, { c1 = 0.5, c2 = 0.4 }))
    assert.matches("option hess is for method = \"newton\"", err(rosenbrock, { 1, 2 }, { hess = rosenbrock_hess }))
    assert.matches("hess must return a %(2, 2%) tensor",
      err(rosenbrock, { 1, 2 }, { method = "newton", hess = function() return lunet.zeros(3, 3) end }))
    assert.matches("x0%[2%] is not a number", err(rosenbrock, { 1, "2" }))
    assert.matches("x0 must be a vector", err(rosenbrock, lunet.zeros(2, 2)))
    assert.matches("x0 is empty", err(rosenbrock, {}))
    assert.matches("x0 has non%-finite entries", err(rosenbrock, { 0 / 0, 1 }))
    assert.matches("f must be a function, got number", err(1, { 1, 2 }))
    assert.matches("f is infinite at x0", err(function(x) return math.huge, x end, { 1, 2 }))
  end)

  it("L-BFGS's every direction is the textbook two-loop recursion over the last m stored", function()
    -- The extended Rosenbrock function in 8 dimensions, m = 3 so stored are
    -- dropped; the directions are recovered from the path (x_k+1 - x_k = a_k d_k)
    -- and recomputed with the loop over vectors (N&W algorithm 7.4),
    -- gamma = s's / s'y (the default h0) or s'y / y'y (h0 = "sy/yy") of the
    -- newest pair, s = x_k+1 - x_k, y = g_k+1 - g_k.
    -- With c2 = 0.1 too, where the accepted steps are rarely 1.
    local n, m = 8, 3
    local function ext(x)
      local v, c, g = x:totable(), 0, {}
      for i = 1, n do g[i] = 0 end
      for i = 1, n - 1 do
        local r, t = v[i + 1] - v[i] ^ 2, 1 - v[i]
        c = c + 100 * r * r + t * t
        g[i] = g[i] - 400 * v[i] * r - 2 * t
        g[i + 1] = g[i + 1] + 200 * r
      end
      return c, lunet.tensor(g, "float64")
    end
    local function dot(a, b) local s = 0 for i = 1, #a do s = s + a[i] * b[i] end return s end
    local x0 = {}
    for i = 1, n do x0[i] = i % 2 == 1 and -1.2 or 1 end
    for _, case in ipairs { { 0.9 }, { 0.1 }, { 0.9, "sy/yy" }, { 0.1, "sy/yy" } } do
      local c2, h0 = case[1], case[2]
      local _, h = minimize(ext, x0, { method = "lbfgs", m = m, path = true, max_iter = 25, c2 = c2, h0 = h0 })
      assert.is_true(#h.path >= 20)
      local grads, stored = {}, {}
      for k = 1, #h.path do grads[k] = select(2, ext(lunet.tensor(h.path[k], "float64"))):totable() end
      local checked = 0
      for k = 1, #h.path - 1 do
        local g, want = grads[k], {}
        if #stored == 0 then
          for i = 1, n do want[i] = -g[i] end
        else
          local q, alpha = {}, {}
          for i = 1, n do q[i] = g[i] end
          for j = #stored, 1, -1 do
            local pj = stored[j]
            alpha[j] = dot(pj.s, q) / dot(pj.s, pj.y)
            for i = 1, n do q[i] = q[i] - alpha[j] * pj.y[i] end
          end
          local last = stored[#stored]
          local gamma = h0 == "sy/yy" and dot(last.s, last.y) / dot(last.y, last.y)
            or dot(last.s, last.s) / dot(last.s, last.y)
          for i = 1, n do q[i] = gamma * q[i] end
          for j = 1, #stored do
            local pj = stored[j]
            local beta = dot(pj.y, q) / dot(pj.s, pj.y)
            for i = 1, n do q[i] = q[i] + (alpha[j] - beta) * pj.s[i] end
          end
          for i = 1, n do want[i] = -q[i] end
        end
        local got, s, y = {}, {}, {}
        for i = 1, n do
          s[i] = h.path[k + 1][i] - h.path[k][i]
          y[i] = grads[k + 1][i] - grads[k][i]
          got[i] = s[i] / h.alpha[k + 1]
        end
        H.near(lunet.tensor(got, "float64"), want, 1e-6 * math.sqrt(dot(want, want)), "direction " .. k)
        checked = checked + 1
        if dot(s, y) > 0 then
          stored[#stored + 1] = { s = s, y = y }
          if #stored > m then table.remove(stored, 1) end
        end
      end
      assert.is_true(checked >= 20)
    end
  end)

  it("stops when a fixed step diverges to an infinite cost", function()
    local function steep(x) local c = x:dot(x) ^ 8 return c, x:mul(16 * x:dot(x) ^ 7) end
    local _, h = minimize(steep, { 3, 3 }, { method = "gd", eta = 1 })
    assert.are.equal("diverged (infinite cost)", h.reason)
    assert.is_false(h.converged)
  end)
  it("takes an objective's fresh gradient without copying, to the same path as a copying wrapper", function()
    -- lunet.optim.objective's f is marked (minimize.fresh_gradient): x is
    -- passed as is and its gradient used as returned. A plain wrapper of the
    -- same f gets copies; both must follow the same path, bit for bit, and
    -- the marked run must leave x0 alone.
    lunet.seed(9)
    local net = lunet.Network({ 5, 4, 3 }, { dtype = "float64" })
    local x = lunet.randn(40, 5, "float64")
    local y = lunet.zeros(40)
    for i = 1, 40 do y[i] = i % 3 end
    local f, w0 = lunet.optim.objective(net, { x = x, y = y })
    local seen = {}
    local wrapped = function(w)
      seen[#seen + 1] = w
      return f(w)
    end
    local before = w0:totable()
    local xa, ha = minimize(f, w0, { method = "lbfgs", max_iter = 15 })
    local xb, hb = minimize(wrapped, w0, { method = "lbfgs", max_iter = 15 })
    assert.are.same(before, w0:totable())
    assert.are.same(hb.cost, ha.cost)
    assert.are.same(xb:totable(), xa:totable())
    assert.is_true(#seen == hb.evaluations and seen[1] ~= w0)
    assert.are.equal(f, lunet.minimize.fresh_gradient(f))
    -- placed at the caller's line, which is helpers.lua's pcall here
    local function refusal(...) return (H.err(lunet.minimize.fresh_gradient, ...):gsub("^[^\n]-:%d+: ", "")) end
    for _, v in ipairs({ 1, "f", {}, true }) do
      assert.are.equal("minimize: fresh_gradient: f must be a function, got " .. type(v), refusal(v))
    end
    assert.are.equal("minimize: fresh_gradient: f must be a function, got nil", refusal())
  end)

  it("returns a history that lunet.plot.monitor draws directly: cost and gradient norm per iteration", function()
    local _, h = minimize(rosenbrock, { -1.2, 1 }, { method = "bfgs" })
    local svg = lunet.plot.monitor(h, { title = "BFGS" })
    assert.matches(">Cost<", svg)
    assert.matches(">Gradient norm<", svg)
    assert.matches(">iteration<", svg)
    assert.matches("10⁻¹⁵", svg)                 -- both on log scales: the cost falls to about 1e-16
    assert.matches("10⁻⁶", svg)
    assert.matches(">0</text>", svg)                 -- x counts iterations from x0, iteration 0
    -- a cost that ends below 0 is drawn on a linear scale
    local f = function(x) return x[1] ^ 2 - 3 * x[1], lunet.tensor({ 2 * x[1] - 3 }, "float64") end
    local _, hq = minimize(f, { 0 }, { method = "lbfgs" })
    assert.is_true(hq.cost[#hq.cost] < 0)
    local q = lunet.plot.monitor(hq)
    assert.matches(">%-3</text>", q)
    assert.is_nil(q:find("10⁻", 1, true))
  end)
end)
