-- lunet.minimize against a plain-Lua reference of the same algorithms
-- (Nocedal and Wright: the strong-Wolfe line search 3.5/3.6 with cubic
-- interpolation and extrapolation, L-BFGS's first step min(1, 1/|g|_1),
-- Polak-Ribiere+ CG with restarts, BFGS's inverse update,
-- L-BFGS's two-loop recursion, damped Newton, the fixed-step methods), as
-- the module's header documents them. Every iterate is compared: the point,
-- the cost, the line-search multiple and the number of evaluations so far,
-- so a changed interpolation, bracket, restart rule or first trial step
-- shows even when the minimiser still ends at the minimum.
local minimize = require("lunet.minimize").minimize
local core = require "lunet.core"

-- ---- vectors as Lua lists --------------------------------------------------

local function dot(a, b)
  local s = 0
  for i = 1, #a do s = s + a[i] * b[i] end
  return s
end
local function axpy(a, x, y)   -- a x + y
  local r = {}
  for i = 1, #x do r[i] = a * x[i] + y[i] end
  return r
end
local function scale(a, x)
  local r = {}
  for i = 1, #x do r[i] = a * x[i] end
  return r
end
local function matvec(M, x)
  local r = {}
  for i = 1, #M do r[i] = dot(M[i], x) end
  return r
end
local function norm(x) return math.sqrt(dot(x, x)) end

-- Cholesky of a small SPD matrix, nil when it is not positive definite.
local function cholesky(A)
  local n, L = #A, {}
  for i = 1, n do L[i] = {} for j = 1, n do L[i][j] = 0 end end
  for j = 1, n do
    local s = A[j][j]
    for k = 1, j - 1 do s = s - L[j][k] ^ 2 end
    if s ~= s or s <= 0 then return nil end
    L[j][j] = math.sqrt(s)
    for i = j + 1, n do
      local t = A[i][j]
      for k = 1, j - 1 do t = t - L[i][k] * L[j][k] end
      L[i][j] = t / L[j][j]
    end
  end
  return L
end
local function chol_solve(L, b)
  local n, y, x = #L, {}, {}
  for i = 1, n do
    local s = b[i]
    for k = 1, i - 1 do s = s - L[i][k] * y[k] end
    y[i] = s / L[i][i]
  end
  for i = n, 1, -1 do
    local s = y[i]
    for k = i + 1, n do s = s - L[k][i] * x[k] end
    x[i] = s / L[i][i]
  end
  return x
end

-- ---- the reference ---------------------------------------------------------

local F_NOISE, MAX_LS = 1e-13, 40

local function reference(f, x0, o)
  o = o or {}
  local method = o.method or "lbfgs"
  local S = { n = #x0, nfev = 0, max_evals = o.max_evals or 10000, c1 = o.c1 or 1e-4,
    c2 = o.c2 or (method == "cg" and 0.1 or 0.9), m = o.m or 10 }
  local function evaluate(x)
    if S.nfev >= S.max_evals then return nil end
    S.nfev = S.nfev + 1
    return f(x)
  end
  local function phi(x, d, a)
    local xa = axpy(a, d, x)
    local c, g = evaluate(xa)
    if c == nil then return nil end
    return c, g, c < math.huge and dot(g, d) or math.huge, xa
  end
  local function cubicmin(a, fa, da, b, fb, db)
    local d1 = da + db - 3 * (fa - fb) / (a - b)
    local disc = d1 * d1 - da * db
    if disc ~= disc or disc < 0 then return nil end
    local d2 = (b > a and 1 or -1) * math.sqrt(disc)
    local t = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2)
    local lo, hi = math.min(a, b), math.max(a, b)
    if t ~= t or t < lo + 0.1 * (hi - lo) or t > hi - 0.1 * (hi - lo) then return nil end
    return t
  end
  local function armijo_fails(f0, d0, a, fa) return fa > f0 + S.c1 * a * d0 + F_NOISE * math.abs(f0) end
  local function above(fa, fb, f0) return fa > fb + F_NOISE * math.abs(f0) end
  local function zoom(x, d, f0, d0, lo, flo, dlo, hi, fhi, dhi)
    for _ = 1, MAX_LS do
      local a = cubicmin(lo, flo, dlo, hi, fhi, dhi) or (lo + hi) / 2
      if fhi == math.huge then a = (lo + hi) / 2 end
      local fa, ga, da, xa = phi(x, d, a)
      if fa == nil then return nil, "max_evals" end
      if armijo_fails(f0, d0, a, fa) or above(fa, flo, f0) then
        hi, fhi, dhi = a, fa, da
      else
        if math.abs(da) <= -S.c2 * d0 then return a, xa, fa, ga end
        if da * (hi - lo) >= 0 then hi, fhi, dhi = lo, flo, dlo end
        lo, flo, dlo = a, fa, da
      end
      if math.abs(hi - lo) <= 1e-16 * math.max(math.abs(lo), math.abs(hi)) then break end
    end
    return nil, "line search failed"
  end
  local function line_search(x, f0, d0, d, a)
    local prev, fprev, dprev = 0, f0, d0
    for i = 1, MAX_LS do
      local fa, ga, da, xa = phi(x, d, a)
      if fa == nil then return nil, "max_evals" end
      if armijo_fails(f0, d0, a, fa) or (i > 1 and above(fa, fprev, f0)) then
        return zoom(x, d, f0, d0, prev, fprev, dprev, a, fa, da)
      end
      if math.abs(da) <= -S.c2 * d0 then return a, xa, fa, ga end
      if da >= 0 then return zoom(x, d, f0, d0, a, fa, da, prev, fprev, dprev) end
      -- extrapolate: the cubic's minimiser, kept within [a + (a - prev)/100, 10 a]
      local lo, hi = a + 0.01 * (a - prev), 10 * a
      local d1 = dprev + da - 3 * (fprev - fa) / (prev - a)
      local disc = d1 * d1 - dprev * da
      local t = (lo + hi) / 2
      if disc == disc and disc >= 0 then
        local d2 = math.sqrt(disc)
        local c = a - (a - prev) * (da + d2 - d1) / (da - dprev + 2 * d2)
        if c == c then t = math.min(math.max(c, lo), hi) end
      end
      prev, fprev, dprev, a = a, fa, da, t
    end
    return nil, "line search failed"
  end

  -- directions
  local dir = {}
  if method == "cg" then
    local pd, pg, since
    dir.get = function(_, g)
      local d
      if pd and since < S.n then
        local beta = math.max(0, dot(g, axpy(-1, pg, g)) / dot(pg, pg))
        d = axpy(beta, pd, scale(-1, g))
        if dot(d, g) >= 0 then d = nil end
      end
      if d == nil then d, since = scale(-1, g), 0 end
      since = since + 1
      pd, pg = d, g
      return d
    end
  elseif method == "bfgs" then
    local H
    dir.get = function(_, g) return H and scale(-1, matvec(H, g)) or scale(-1, g) end
    dir.update = function(s, y)
      local sy = dot(s, y)
      if sy ~= sy or sy <= 0 then return end
      local rho = 1 / sy
      if not H then
        H = {}
        local s0 = o.scale_h0 and sy / dot(y, y) or 1
        for i = 1, S.n do H[i] = {} for j = 1, S.n do H[i][j] = i == j and s0 or 0 end end
      end
      local Hy = matvec(H, y)
      local yHy = dot(y, Hy)
      for i = 1, S.n do
        for j = 1, S.n do
          H[i][j] = H[i][j] - rho * (s[i] * Hy[j] + Hy[i] * s[j]) + (rho * rho * yHy + rho) * s[i] * s[j]
        end
      end
    end
  elseif method == "lbfgs" then
    local pairs_ = {}
    dir.get = function(_, g)
      local k = #pairs_
      if k == 0 then return scale(-1, g) end
      local q, alpha = { table.unpack(g) }, {}
      for i = k, 1, -1 do
        alpha[i] = pairs_[i].rho * dot(pairs_[i].s, q)
        q = axpy(-alpha[i], pairs_[i].y, q)
      end
      local sk, yk = pairs_[k].s, pairs_[k].y
      local gamma = o.h0 == "sy/yy" and dot(sk, yk) / dot(yk, yk) or dot(sk, sk) / dot(sk, yk)
      local r = scale(gamma, q)
      for i = 1, k do
        local beta = pairs_[i].rho * dot(pairs_[i].y, r)
        r = axpy(alpha[i] - beta, pairs_[i].s, r)
      end
      return scale(-1, r)
    end
    dir.update = function(s, y)
      local sy = dot(s, y)
      if sy ~= sy or sy <= 0 then return end
      if #pairs_ == S.m then table.remove(pairs_, 1) end
      pairs_[#pairs_ + 1] = { s = s, y = y, rho = 1 / sy }
    end
  elseif method == "newton" then
    dir.get = function(x, g)
      local H = {}
      if o.hess then
        H = o.hess(x)
      else
        for j = 1, S.n do
          local h = 1.4901161193847656e-08 * math.max(1, math.abs(x[j]))
          local xp = { table.unpack(x) }
          xp[j] = x[j] + h
          local c, gj = evaluate(xp)
          if c == nil then return nil end
          H[j] = scale(1 / h, axpy(-1, g, gj))
        end
        local Hs = {}
        for i = 1, S.n do Hs[i] = {} for j = 1, S.n do Hs[i][j] = (H[i][j] + H[j][i]) * 0.5 end end
        H = Hs
      end
      local big = 1e-12
      for i = 1, S.n do for j = 1, S.n do big = math.max(big, math.abs(H[i][j])) end end
      local mu = 0
      for _ = 1, 60 do
        local Hd = {}
        for i = 1, S.n do Hd[i] = {} for j = 1, S.n do Hd[i][j] = H[i][j] + (i == j and mu or 0) end end
        local L = cholesky(Hd)
        if L then return scale(-1, chol_solve(L, g)) end
        mu = mu == 0 and 1e-3 * big or 10 * mu
      end
      error("no damping")
    end
  end

  local x = { table.unpack(x0) }
  local fx, g = evaluate(x)
  local hist = { cost = { fx }, alpha = { 0 }, nfev = { S.nfev }, path = { x } }
  local function record(xn, fn, a)
    local k = #hist.cost + 1
    hist.cost[k], hist.alpha[k], hist.nfev[k], hist.path[k] = fn, a, S.nfev, xn
  end
  local gtol = o.gtol or 1e-6
  if norm(g) <= gtol then return hist, "gradient norm below gtol" end
  if method == "gd" or method == "momentum" or method == "nesterov" then
    local eta, mu = o.eta or 0.01, method == "gd" and 0 or (o.mu or 0.9)
    local v = scale(0, x)
    for _ = 1, o.max_iter or 1000 do
      v = axpy(mu, v, scale(-eta, g))
      local s = method == "nesterov" and axpy(mu, v, scale(-eta, g)) or v
      local xn = axpy(1, s, x)
      local fn, gn = evaluate(xn)
      if fn == math.huge then return hist, "diverged (infinite cost)" end
      record(xn, fn, eta)
      x, g = xn, gn
      if norm(g) <= gtol then return hist, "gradient norm below gtol" end
    end
    return hist, "max_iter reached"
  end
  local f_prev = fx + norm(g) / 2
  for k = 1, o.max_iter or 1000 do
    local d = dir.get(x, g)
    if d == nil then return hist, "max_evals reached" end
    local d0 = dot(g, d)
    if d0 ~= d0 or d0 >= 0 then d, d0 = scale(-1, g), -dot(g, g) end
    local a1 = 1
    if method == "lbfgs" and k == 1 then
      local l1 = 0
      for i = 1, #g do l1 = l1 + math.abs(g[i]) end
      a1 = math.min(1, 1 / l1)                  -- torch.optim.LBFGS's first step
    elseif method == "cg" or (method == "bfgs" and not o.scale_h0) or (k == 1 and method ~= "newton")
        or (method == "lbfgs" and o.h0 ~= "sy/yy") then
      a1 = math.min(1, 2.02 * (fx - f_prev) / d0)
    end
    if a1 ~= a1 or a1 <= 0 then a1 = 1 end
    local a, xn, fn, gn = line_search(x, fx, d0, d, a1)
    if a == nil then return hist, xn == "max_evals" and "max_evals reached" or "line search failed" end
    if dir.update then dir.update(scale(a, d), axpy(-1, g, gn)) end   -- s = a d
    record(xn, fn, a)
    x, f_prev, fx, g = xn, fx, fn, gn
    if norm(g) <= gtol then return hist, "gradient norm below gtol" end
  end
  return hist, "max_iter reached"
end

-- ---- test functions (plain lists in, plain lists out) ----------------------

local function rosenbrock(x)
  local a, b = x[1], x[2]
  return (1 - a) ^ 2 + 100 * (b - a * a) ^ 2, { -2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a) }
end
local function rosen_hess(x)
  local a, b = x[1], x[2]
  return { { 2 - 400 * (b - a * a) + 800 * a * a, -400 * a }, { -400 * a, 200 } }
end

-- A 4-d quadratic 1/2 x'Ax - b'x with a condition number near 40.
local A = { { 10, 2, 0, 1 }, { 2, 6, 1, 0 }, { 0, 1, 3, 0.5 }, { 1, 0, 0.5, 0.4 } }
local B = { 1, -2, 3, 0.5 }
local function quadratic(x)
  local Ax = matvec(A, x)
  return 0.5 * dot(x, Ax) - dot(B, x), axpy(-1, B, Ax)
end

-- Smooth inside x1 < 0.8, infinite beyond (the minimum is inside, near 0.66): a line search must back off.
local function walled(x)
  if x[1] >= 0.8 then return math.huge, { 0, 0, 0 } end
  local c = (x[1] - 1.1) ^ 2 + 3 * (x[2] + 0.5) ^ 2 + 0.5 * (x[3] - x[1]) ^ 2 + x[1] ^ 4
  return c, { 2 * (x[1] - 1.1) - (x[3] - x[1]) + 4 * x[1] ^ 3, 6 * (x[2] + 0.5), x[3] - x[1] }
end

local function walled_hess(x)
  return { { 3 + 12 * x[1] ^ 2, 0, -1 }, { 0, 6, 0 }, { -1, 0, 1 } }
end

-- The function as minimize calls it: a tensor in, a number and a tensor out.
local function tensor_fn(fn)
  return function(x)
    local c, g = fn(x:totable())
    return c, core.tensor(g, "float64")
  end
end

local function close(a, b, tol, what)
  if a == b then return end
  local d = math.abs(a - b)
  assert(d <= tol * math.max(1, math.abs(a), math.abs(b)), ("%s: %.17g vs %.17g"):format(what, a, b))
end

-- Rounding differs (the module sums L-BFGS's products in another order,
-- takes BLAS dots), and grows along a path; a changed rule moves the path
-- by far more.
local TOL = 1e-6

local function same_path(fn, x0, o)
  local want, why = reference(fn, x0, o)
  local lo = { path = true }
  for k, v in pairs(o) do lo[k] = v end
  if lo.hess then
    local h = lo.hess
    lo.hess = function(x) return core.tensor(h(x:totable()), "float64") end
  end
  local _, got = minimize(tensor_fn(fn), x0, lo)
  local tag = o.method .. ": "
  assert.are.equal(#want.cost, #got.cost, tag .. "number of iterates")
  assert.are.equal(why, got.reason, tag .. "reason")
  for k = 1, #want.cost do
    local at = tag .. "iterate " .. (k - 1)
    assert.are.equal(want.nfev[k], got.nfev[k], at .. ": evaluations")
    close(want.cost[k], got.cost[k], TOL, at .. ": cost")
    close(want.alpha[k], got.alpha[k], TOL, at .. ": alpha")
    for i = 1, #x0 do close(want.path[k][i], got.path[k][i], TOL, at .. ": x[" .. i .. "]") end
  end
  return got
end

describe("minimize against a plain-Lua reference, iterate by iterate (regression)", function()
  for _, method in ipairs { "lbfgs", "bfgs", "cg", "newton" } do
    it(method .. " on Rosenbrock's function", function()
      same_path(rosenbrock, { -1.2, 1 }, { method = method, max_iter = 25 })
    end)
    it(method .. " on a 4-d quadratic", function()
      same_path(quadratic, { 0, 0, 0, 0 }, { method = method, max_iter = 10 })
    end)
    it(method .. " next to a wall of infinite cost", function()
      -- Newton's finite differences would step into the wall (an error):
      -- it takes the exact Hessian there
      same_path(walled, { -3, 0.3, -1 }, { method = method, max_iter = 30,
        hess = method == "newton" and walled_hess or nil })
    end)
  end

  it("newton with an exact Hessian, and bfgs with a scaled H0", function()
    same_path(rosenbrock, { -1.2, 1 }, { method = "newton", hess = rosen_hess, max_iter = 30 })
    same_path(rosenbrock, { -1.2, 1 }, { method = "bfgs", scale_h0 = true, max_iter = 30 })
  end)

  it("lbfgs with a short memory (m = 2) drops its oldest pairs", function()
    same_path(quadratic, { 1, 1, 1, 1 }, { method = "lbfgs", m = 2, max_iter = 12 })
    same_path(rosenbrock, { -1.2, 1 }, { method = "lbfgs", m = 3, max_iter = 20 })
  end)

  it("lbfgs with h0 = 'sy/yy' (PyTorch's H0 and first trials of 1) and the default 'ss/sy'", function()
    for _, h0 in ipairs { "sy/yy", "ss/sy" } do
      same_path(rosenbrock, { -1.2, 1 }, { method = "lbfgs", h0 = h0, max_iter = 30 })
      same_path(walled, { -3, 0.3, -1 }, { method = "lbfgs", h0 = h0, max_iter = 30 })
      same_path(quadratic, { 1, 1, 1, 1 }, { method = "lbfgs", h0 = h0, m = 2, max_iter = 12 })
    end
  end)

  it("other line-search constants, and a budget of evaluations that runs out", function()
    same_path(rosenbrock, { -1.2, 1 }, { method = "lbfgs", c1 = 0.3, c2 = 0.4, max_iter = 30 })
    same_path(walled, { -3, 0.3, -1 }, { method = "cg", c2 = 0.5, max_iter = 15 })
    local got = same_path(rosenbrock, { -1.2, 1 }, { method = "bfgs", max_evals = 17 })
    assert.are.equal("max_evals reached", got.reason)
  end)

  for _, method in ipairs { "gd", "momentum", "nesterov" } do
    it(method .. " with fixed steps on the quadratic", function()
      same_path(quadratic, { 0, 0, 0, 0 }, { method = method, eta = 0.05, mu = 0.7, max_iter = 60 })
    end)
  end
end)

describe("minimize's option ranges (regression)", function()
  local function quad(x) return core.dot(x, x) / 2, x:clone() end
  it("takes the closed ends of its ranges and refuses the open ones", function()
    for _, o in ipairs { { method = "momentum", mu = 1 }, { method = "momentum", mu = 0 }, { ftol = 1 }, { ftol = 0 },
      { gtol = 0 }, { max_iter = 0 }, { max_evals = 1 }, { m = 1 } } do
      o.max_iter = o.max_iter or 2
      local ok, err = pcall(minimize, quad, { 1, 2 }, o)
      assert(ok, err)
    end
    for _, o in ipairs { { eta = 0 }, { c1 = 0 }, { mu = 1 + 1e-12 }, { mu = -1e-12 }, { ftol = 1.5 }, { gtol = -1e-9 },
      { max_evals = 0 }, { m = 0 }, { max_iter = -1 }, { c2 = 1 }, { c1 = 0.5, c2 = 0.5 } } do
      local ok, err = pcall(minimize, quad, { 1, 2 }, o)
      assert(not ok, "accepted " .. next(o))
      assert.truthy(tostring(err):find("minimize: option", 1, true), err)
    end
  end)
end)
