-- lunet.minimize: classic minimisers for a smooth function of a vector.
--
--   local minimize = require("lunet.minimize").minimize
--   local x, history = minimize(function(x)          -- x: 1-d float64 tensor
--     return cost, grad                              -- a number, a tensor like x
--   end, { -1.2, 1 }, { method = "bfgs" })
--
-- Methods (Nocedal and Wright, "Numerical Optimization", 2nd ed.):
--   "gd", "momentum", "nesterov"  fixed steps: eta (0.01) and mu (0.9)
--   "cg"     nonlinear conjugate gradient, Polak-Ribiere+, restarted every n
--            iterations and whenever the direction is not downhill (5.2)
--   "bfgs"   inverse-Hessian update from H0 = I (6.1); scale_h0 = true
--            sets H0 = (s'y / y'y) I before the first update (6.20), which
--            on the 100-d quadratic of bench/minimize.lua (condition 1000)
--            took 272 iterations instead of 94, so it is not the default
--   "lbfgs"  two-loop recursion over the last m pairs (m = 10) (7.2), from
--            H0 = gamma I with gamma = s's / s'y of the newest pair
--            (h0 = "ss/sy", the default) or s'y / y'y (h0 = "sy/yy", N&W
--            7.20, as torch.optim.LBFGS, SciPy and minFunc have it)
--   "newton" exact Hessian (hess = function(x) -> (n, n) tensor) or forward
--            differences of gradients (n evaluations), damped by mu I until
--            Cholesky succeeds (3.4)
-- cg, bfgs, lbfgs and newton step along a line search that satisfies the
-- strong Wolfe conditions (algorithms 3.5 and 3.6, cubic interpolation and
-- extrapolation), with c1 = 1e-4 and c2 = 0.9 (0.1 for cg). L-BFGS's first
-- step is min(1, 1/|g|_1) along -g, and s = a d. Its later first trials
-- are 1 with h0 = "sy/yy", where it follows torch.optim.LBFGS(line_search_fn
-- = "strong_wolfe") step for step, up to rounding; with "ss/sy", whose
-- directions are longer (s's / s'y >= s'y / y'y), min(1, the step that
-- repeats the last decrease) (N&W 3.60). On bench/lbfgs.lua's network that
-- pair reached PyTorch's cost after 100 iterations in a median of 75 over
-- 40 seeds (39 of them in fewer than 100), at 1.15 evaluations an iteration
-- (bench/README.md); "ss/sy" with first trials of 1 needed 5.7.
--
-- Stops when the gradient's 2-norm is at most gtol (1e-6), when the cost
-- changes by at most ftol * max(|f|, |f'|, 1) in one iteration (ftol = 0:
-- off), after max_iter iterations (1000) or max_evals calls of f (10000),
-- when a line search fails, or (fixed-step methods) when the cost becomes
-- infinite. Returns x and a history: one entry per iterate (the first is
-- x0) in cost, grad_norm, step (|x_k - x_k-1|), alpha (line-search
-- multiple; eta for fixed steps), nfev (evaluations so far), seconds (CPU,
-- cumulative) and, with path = true, path (x as a Lua list); plus
-- converged, reason, iterations and evaluations (the total).
--
-- Vector arithmetic is tensor methods (C); f is called with a copy of x
-- (unless marked by minimize.fresh_gradient, as lunet.optim.objective is).

local core = require "lunet.core"
local errors = require "lunet.errors"
local opts = require "lunet.opts"

local linalg = core.linalg
local M = {}

local OPTIONS = {
  "method", "eta", "mu", "gtol", "ftol", "max_iter", "max_evals", "c1", "c2", "m", "hess", "path",
  "scale_h0", "h0",
}
local H0_RULES = { ["ss/sy"] = true, ["sy/yy"] = true }
local METHODS = { gd = true, momentum = true, nesterov = true, cg = true, bfgs = true, lbfgs = true, newton = true }

-- At the user's line, as the option checks' errors are (lunet.errors).
local function fail(msg, ...)
  errors.raise("minimize: " .. msg:format(...))
end

local is_tensor = core.is_tensor

-- A function, or a value whose metatable has __call: the real metatable,
-- read raw (a __metatable field may hide it or be any value).
local function callable(f)
  if type(f) == "function" then return true end
  local mt = debug.getmetatable(f)
  return type(mt) == "table" and rawget(mt, "__call") ~= nil
end

-- ---- options ---------------------------------------------------------------

local shown = opts.shown

local function number_opt(o, key, default, lo, hi, open_lo)
  local v = o[key]
  if v == nil then return default end
  if type(v) ~= "number" or v ~= v then fail("option %s must be a number, got %s", key, shown(v)) end
  if v < lo or (open_lo and v == lo) or v > hi then
    fail("option %s must be in %s%g, %g], got %g", key, open_lo and "(" or "[", lo, hi, v)
  end
  return v
end

local function int_opt(o, key, default, lo)
  local v = o[key]
  if v == nil then return default end
  if math.type(v) ~= "integer" and not (type(v) == "number" and v == math.floor(v) and v < 2 ^ 53) then
    fail("option %s must be an integer, got %s", key, shown(v))
  end
  if v < lo then fail("option %s must be at least %d, got %s", key, lo, tostring(v)) end
  return math.tointeger(v) or v
end

local function read_options(o)
  o = opts.check("minimize", o, OPTIONS, 3)
  local method = o.method or "lbfgs"
  if not METHODS[method] then
    fail("unknown method %s (valid: bfgs, cg, gd, lbfgs, momentum, nesterov, newton)",
      type(method) == "string" and "'" .. method .. "'" or shown(method))
  end
  local s = {
    method = method,
    eta = number_opt(o, "eta", 0.01, 0, math.huge, true),
    mu = number_opt(o, "mu", 0.9, 0, 1),
    gtol = number_opt(o, "gtol", 1e-6, 0, math.huge),
    ftol = number_opt(o, "ftol", 0, 0, 1),
    max_iter = int_opt(o, "max_iter", 1000, 0),
    max_evals = int_opt(o, "max_evals", 10000, 1),
    c1 = number_opt(o, "c1", 1e-4, 0, 1, true),
    c2 = number_opt(o, "c2", method == "cg" and 0.1 or 0.9, 0, 1, true),
    m = int_opt(o, "m", 10, 1),
    hess = o.hess,
    path = o.path,
    scale_h0 = o.scale_h0,
    h0 = o.h0,
  }
  -- L-BFGS keeps at most one pair per iteration, and its history's rows
  -- are made up front: a larger m changes nothing but the memory and time
  -- those take (m = 1e9 had filled the machine's memory before a step)
  s.m = math.min(s.m, s.max_iter, s.max_evals)
  if s.m > 2 ^ 16 then
    fail("option m must be at most 2^16 pairs (or max_iter or max_evals as small), got %d", s.m)
  end
  if s.c2 >= 1 or s.c1 >= s.c2 then fail("options need 0 < c1 < c2 < 1, got c1 = %g, c2 = %g", s.c1, s.c2) end
  -- callable as f may be (a table with __call had been refused)
  if s.hess ~= nil and not callable(s.hess) then fail("option hess must be a function, got %s", type(s.hess)) end
  if s.hess ~= nil and method ~= "newton" then fail("option hess is for method = \"newton\"") end
  for _, key in ipairs { "path", "scale_h0" } do
    if s[key] ~= nil and type(s[key]) ~= "boolean" then
      fail("option %s must be a boolean, got %s", key, type(s[key]))
    end
  end
  if s.scale_h0 ~= nil and method ~= "bfgs" then fail("option scale_h0 is for method = \"bfgs\"") end
  if s.h0 ~= nil and method ~= "lbfgs" then fail("option h0 is for method = \"lbfgs\"") end
  if s.h0 ~= nil and not H0_RULES[s.h0] then
    fail("option h0 must be \"ss/sy\" or \"sy/yy\", got %s", shown(s.h0))
  end
  if method == "lbfgs" then s.h0 = s.h0 or "ss/sy" end
  return s
end

local function start_point(x0)
  if is_tensor(x0) then
    if x0:is_closed() then fail("x0 has been closed") end
    if x0:dim() ~= 1 then fail("x0 must be a vector (1-d tensor), got %d dimensions", x0:dim()) end
    if x0:numel() == 0 then fail("x0 is empty") end
    return x0:to("float64"):clone()
  end
  if type(x0) ~= "table" then fail("x0 must be a tensor or a list of numbers, got %s", type(x0)) end
  -- read raw: a list's __len or __index could claim 2^63 entries
  local list = {}
  for i = 1, rawlen(x0) do
    list[i] = rawget(x0, i)
    if type(list[i]) ~= "number" then fail("x0[%d] is not a number (%s)", i, type(list[i])) end
  end
  if #list == 0 then fail("x0 is empty") end
  -- and whole: a key past the border rawlen found ({1, 2, 3, [5] = 5}) had
  -- been dropped, and the minimiser ran on the first three, silently
  local k = next(x0)
  while k ~= nil do
    if math.type(k) ~= "integer" or k < 1 or k > #list then
      fail("x0 is a list of numbers with the keys 1..%d only, not %s", #list,
        type(k) == "string" and "'" .. k .. "'" or math.type(k) and tostring(k) or "a " .. type(k) .. " key")
    end
    k = next(x0, k)
  end
  return core.tensor(list, "float64")
end

-- ---- evaluation ------------------------------------------------------------

-- Functions known to return a gradient tensor of their own at every call
-- (lunet.optim.objective's), whose copy evaluate() can skip: on the
-- 23,860-parameter network of bench/lbfgs.lua the copy and its fresh pages
-- were a tenth of an iteration's time outside f.
local fresh_gradient = setmetatable({}, { __mode = "k" })

--- minimize.fresh_gradient(f) -> f
-- Marks f as returning a new gradient tensor at every call, which nothing
-- else keeps, and as neither keeping nor changing its argument, so the
-- minimisers pass x and take a float64 gradient without copying them. For
-- lunet.optim.objective; any other f gets a copy of x and its gradient is
-- copied, as before. f must be callable (a function or a table with __call).
function M.fresh_gradient(f)
  if not callable(f) then
    fail("fresh_gradient: f must be a function, got %s", type(f))
  end
  fresh_gradient[f] = true
  return f
end

-- A gradient taken without a copy (fresh_gradient's promise) must be f's
-- own: the minimisers close x and the gradients they are done with, and a
-- gradient in the storage of x, or of the gradient they still hold, would
-- be closed under them or overwritten by the next call (y = 0: no
-- curvature learnt, silently). One storage comparison each, no copy.
local function check_fresh(S, x, g)
  local broken = "f (marked by fresh_gradient) %s (evaluation %d): it must leave x alone and return a new "
    .. "gradient tensor at every call"
  if x:is_closed() then fail(broken, "closed its argument x", S.nfev) end
  if g:shares_storage(x) then fail(broken, "returned its argument x, or a view of it, as the gradient", S.nfev) end
  local held = S.g
  if held and held:is_closed() then fail(broken, "closed a gradient it had returned", S.nfev) end
  if held and g:shares_storage(held) then
    fail(broken, "returned a gradient in the storage of an earlier one", S.nfev)
  end
end

-- f at x, checked; nil when the evaluation budget is spent. An infinite
-- cost is allowed (a line search backs off from it); NaN is an error.
local function evaluate(S, x)
  if S.nfev >= S.max_evals then return nil end
  S.nfev = S.nfev + 1
  local c, g = S.f(S.fresh and x or x:clone())
  if type(c) ~= "number" then
    fail("f must return a number and a gradient, got a %s for the cost (evaluation %d)", type(c), S.nfev)
  end
  -- as a float: integer differences of costs wrap around (maxinteger - (-1)
  -- is mininteger, whose abs is negative: "converged" on ftol at once)
  c = c + 0.0
  if c ~= c then fail("f returned a NaN cost (evaluation %d)", S.nfev) end
  -- -inf is no minimum a line search can compare against (f0 - inf is NaN)
  if c == -math.huge then fail("f returned -inf: it is unbounded below (evaluation %d)", S.nfev) end
  if not is_tensor(g) then
    fail("f must return a gradient tensor as its second value, got %s (evaluation %d)", type(g), S.nfev)
  end
  if g:is_closed() then fail("f returned a closed gradient tensor (evaluation %d)", S.nfev) end
  if g:dim() ~= 1 or g:size(1) ~= S.n then
    local shape = table.concat(g:shape(), "x")
    fail("gradient has shape %s, expected %d like x (evaluation %d)", shape == "" and "()" or shape, S.n, S.nfev)
  end
  if not (S.fresh and g:dtype() == "float64" and g:is_contiguous()) then
    g = g:to("float64"):clone()    -- f may reuse its buffer on the next call
  else
    check_fresh(S, x, g)
  end
  if c < math.huge and not g:all_finite() then
    fail("f returned a non-finite gradient at a finite cost (evaluation %d)", S.nfev)
  end
  return c, g
end

-- ---- line search (Nocedal and Wright, algorithms 3.5 and 3.6) ------------

-- The minimiser of the cubic through (a, fa, da) and (b, fb, db), or nil
-- when it does not exist or falls outside the safeguarded interval.
local function cubicmin(a, fa, da, b, fb, db)
  local d1 = da + db - 3 * (fa - fb) / (a - b)
  local disc = d1 * d1 - da * db
  if disc ~= disc or disc < 0 then return nil end
  local d2 = (b > a and 1 or -1) * math.sqrt(disc)
  local t = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2)
  local lo, hi = math.min(a, b), math.max(a, b)
  local margin = 0.1 * (hi - lo)
  if t ~= t or t < lo + margin or t > hi - margin then return nil end
  return t
end

-- The minimiser of the same cubic clamped to [lo, hi], for extrapolation
-- (the middle of [lo, hi] when the cubic has no minimiser).
local function cubic_clamped(a, fa, da, b, fb, db, lo, hi)
  local d1 = da + db - 3 * (fa - fb) / (a - b)
  local disc = d1 * d1 - da * db
  if disc ~= disc or disc < 0 then return (lo + hi) / 2 end
  local d2 = math.sqrt(disc)
  local t = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2)
  if t ~= t then return (lo + hi) / 2 end
  return math.min(math.max(t, lo), hi)
end

local MAX_LS = 40

-- phi(a) = f(x + a d): returns the cost, gradient, phi'(a) and point.
local function phi(S, x, d, a)
  local xa = d:mul(a):add_(x)
  local c, g = evaluate(S, xa)
  if c == nil then return nil end
  return c, g, c < math.huge and core.dot(g, d) or math.huge, xa
end

-- Costs closer than this (relative to |f0|) are equal as far as the line
-- search is concerned: near a minimum the decrease a step can make falls
-- below the rounding of f (a sum of many terms), and comparing such costs
-- sends the search the wrong way, so the gradient (exact to far fewer
-- digits lost) decides instead. The spec allows the same slack.
local F_NOISE = 1e-13

-- f(x + a d) fails sufficient decrease: f0 + c1 a d0, up to the noise.
local function armijo_fails(S, f0, d0, a, fa)
  return fa > f0 + S.c1 * a * d0 + F_NOISE * math.abs(f0)
end

-- fa is above fb by more than the noise.
local function above(fa, fb, f0)
  return fa > fb + F_NOISE * math.abs(f0)
end

-- A trial point the search moves on from: only its numbers are kept, and
-- its point and gradient (evaluate's own, or f's under fresh_gradient's
-- contract) are freed now rather than left to the collector (see release).
local function drop(xa, ga)
  xa:close()
  ga:close()
end

-- Zoom between lo (satisfies sufficient decrease) and hi (algorithm 3.6).
local function zoom(S, x, d, f0, d0, lo, flo, dlo, hi, fhi, dhi)
  for _ = 1, MAX_LS do
    local a = cubicmin(lo, flo, dlo, hi, fhi, dhi) or (lo + hi) / 2
    if fhi == math.huge then a = (lo + hi) / 2 end
    local fa, ga, da, xa = phi(S, x, d, a)
    if fa == nil then return nil, "max_evals" end
    if armijo_fails(S, f0, d0, a, fa) or above(fa, flo, f0) then
      hi, fhi, dhi = a, fa, da
    else
      if math.abs(da) <= -S.c2 * d0 then return a, xa, fa, ga end
      if da * (hi - lo) >= 0 then hi, fhi, dhi = lo, flo, dlo end
      lo, flo, dlo = a, fa, da
    end
    drop(xa, ga)
    if math.abs(hi - lo) <= 1e-16 * math.max(math.abs(lo), math.abs(hi)) then break end
  end
  return nil, "line search failed"
end

--- minimize.line_search(S, x, f0, d0, d, a1) -> a, x_new, f_new, g_new
-- The strong Wolfe line search of the minimisers, for their use and the
-- specs': S is minimize's internal state (f, c1, c2, evaluation counts).
-- A step a > 0 along the descent direction d (d0 = g'd < 0) with
-- f(x + a d) <= f0 + c1 a d0 and |g(x + a d)'d| <= c2 |d0|.
-- Returns a, the new point, its cost and gradient; or nil and a reason.
-- While the slope is still downhill the next trial is the minimiser of the
-- cubic through the last two, kept within [a + (a - a_prev)/100, 10 a]
-- (N&W 3.5's extrapolation; torch.optim.LBFGS and minFunc do the same).
-- Doubling instead took 5 evaluations for the 3 of this from a first step
-- of 1/|g|_1 on bench/lbfgs.lua's network.
function M.line_search(S, x, f0, d0, d, a1)
  local prev, fprev, dprev = 0, f0, d0
  local a = a1
  for i = 1, MAX_LS do
    local fa, ga, da, xa = phi(S, x, d, a)
    if fa == nil then return nil, "max_evals" end
    local too_high = armijo_fails(S, f0, d0, a, fa) or (i > 1 and above(fa, fprev, f0))
    if not too_high and math.abs(da) <= -S.c2 * d0 then return a, xa, fa, ga end
    drop(xa, ga)
    if too_high then return zoom(S, x, d, f0, d0, prev, fprev, dprev, a, fa, da) end
    if da >= 0 then return zoom(S, x, d, f0, d0, a, fa, da, prev, fprev, dprev) end
    prev, fprev, dprev, a = a, fa, da, cubic_clamped(prev, fprev, dprev, a, fa, da, a + 0.01 * (a - prev), 10 * a)
  end
  return nil, "line search failed"
end

-- ---- directions --------------------------------------------------------------

-- Each method is new(S) -> state with direction(x, g, k) -> d and
-- update(x, s, y, g_new) after an accepted step.

local directions = {}

directions.cg = function(S)
  local st = { prev_g = nil, d = nil, since = 0 }
  function st.direction(_, g)
    local d
    if st.d and st.since < S.n then
      -- Polak-Ribiere+: beta = max(0, g'(g - g_prev) / g_prev'g_prev)
      local beta = math.max(0, core.dot(g, g:sub(st.prev_g)) / core.dot(st.prev_g, st.prev_g))
      d = st.d:mul(beta):sub_(g)
      if core.dot(d, g) >= 0 then d = nil end      -- not downhill: restart
    end
    if d == nil then
      d, st.since = g:neg(), 0
    end
    st.since = st.since + 1
    st.d, st.prev_g = d, g
    return d
  end
  function st.update() end
  return st
end

directions.bfgs = function(S)
  local st = { H = nil }
  function st.direction(_, g)
    if st.H == nil then return g:neg() end
    return core.mv(st.H, g):neg_()
  end
  function st.update(_, s, y)
    local sy = core.dot(s, y)
    if sy ~= sy or sy <= 0 then return end        -- curvature lost to rounding: keep H
    local rho = 1 / sy
    if st.H == nil then
      st.H = core.zeros(S.n, S.n, "float64")
      local scale = S.scale_h0 and sy / core.dot(y, y) or 1
      for i = 1, S.n do st.H[i][i] = scale end
    end
    -- H <- (I - rho s y') H (I - rho y s') + rho s s', as three rank-one
    -- updates of H in place: outer products made n x n temporaries, four
    -- matrices of n^2 at once (n = 30,000 would have been 29 GB)
    local Hy = core.mv(st.H, y)
    local yHy = core.dot(y, Hy)
    local n = S.n
    local sc, sr, hc, hr = s:view(n, 1), s:view(1, n), Hy:view(n, 1), Hy:view(1, n)
    core.gemm(sc, hr, st.H, { alpha = -rho, beta = 1 })
    core.gemm(hc, sr, st.H, { alpha = -rho, beta = 1 })
    core.gemm(sc, sr, st.H, { alpha = rho * rho * yHy + rho, beta = 1 })
  end
  return st
end

-- L-BFGS's two-loop recursion with its inner products taken from matrices:
-- the pairs are the rows of S and Y, (m, n), preallocated, and s_i'y_j,
-- y_i'y_j are kept as numbers. A direction costs two matrix-vector products
-- for S g and Y g, the recursion on numbers (s_i'q and y_i'r expand into
-- those), and two more to form d = -(gamma (g - Y'alpha) + S'c): four passes
-- over the history, as many as the loop over vectors makes (4m dots and
-- axpys), in four BLAS calls instead of 4m. The recursion reads s_i'y_j only
-- for pair i no newer than pair j, so a new pair's products with the others
-- cost no pass either: with y = g_new - g_old,
--   s_i'y = (S g_new - S g_old)_i  and  y_i'y = (Y g_new - Y g_old)_i,
-- products of the next direction and of this one. (Computing them by three
-- more products over S and Y took 0.5 ms an iteration on the 23,860-parameter
-- network of bench/lbfgs.lua.)
-- S and Y have a spare (m+1)-th row that receives the next pair in place
-- (pair()), so a step allocates no s and y; when the pair is kept, the
-- slot it evicts becomes the spare.
directions.lbfgs = function(S)
  local st = { order = {}, rho = {}, SY = {}, YY = {}, spare = 1, unused = {}, rows = {} }   -- order: oldest first
  for i = 1, S.m + 1 do st.SY[i], st.YY[i] = {}, {} end
  for i = S.m + 1, 2, -1 do st.unused[#st.unused + 1] = i end

  function st.pair()
    if st.S == nil then
      st.S, st.Y = core.zeros(S.m + 1, S.n, "float64"), core.zeros(S.m + 1, S.n, "float64")
      for i = 1, S.m + 1 do st.rows[i] = { st.S:select(1, i), st.Y:select(1, i) } end
    end
    return st.rows[st.spare][1], st.rows[st.spare][2]
  end

  -- The new pair (slot p)'s products with the older ones, now that S g and Y g are known.
  local function fill_pending(Sg, Yg)
    local p = st.pending
    st.pending = nil
    if p == nil then return end
    for _, i in ipairs(st.order) do
      if i ~= p then
        st.SY[i][p] = Sg[i] - st.Sg_prev[i]
        local yy = Yg[i] - st.Yg_prev[i]
        st.YY[i][p], st.YY[p][i] = yy, yy
      end
    end
  end

  function st.direction(_, g)
    local order, k = st.order, #st.order
    if k == 0 then return g:neg() end
    local SY, YY, rho = st.SY, st.YY, st.rho
    local Sg, Yg = core.mv(st.S, g):totable(), core.mv(st.Y, g):totable()
    fill_pending(Sg, Yg)
    local alpha, c = {}, {}
    for p = k, 1, -1 do                     -- alpha_i = rho_i s_i'q, q = g - sum over newer of alpha_j y_j
      local i = order[p]
      local v = Sg[i]
      for q = p + 1, k do v = v - alpha[order[q]] * SY[i][order[q]] end
      alpha[i] = rho[i] * v
    end
    local newest = order[k]
    local gamma = S.h0 == "ss/sy" and st.ss / SY[newest][newest] or SY[newest][newest] / YY[newest][newest]
    for p = 1, k do                         -- beta_i = rho_i y_i'r, r = gamma q + sum over older of c_j s_j
      local i = order[p]
      local v = Yg[i]
      for q = 1, k do v = v - alpha[order[q]] * YY[i][order[q]] end
      v = gamma * v
      for q = 1, p - 1 do v = v + c[order[q]] * SY[order[q]][i] end
      c[i] = alpha[i] - rho[i] * v
    end
    local ca, cc = {}, {}
    for i = 1, S.m + 1 do ca[i], cc[i] = gamma * (alpha[i] or 0), -(c[i] or 0) end
    local d = g:mul(-gamma)                 -- d = -gamma g + Y'(gamma alpha) - S'c
    local dv = d:view(S.n, 1)
    core.gemm(st.Y, core.tensor(ca, "float64"):view(S.m + 1, 1), dv, { transA = true, beta = 1 })
    core.gemm(st.S, core.tensor(cc, "float64"):view(S.m + 1, 1), dv, { transA = true, beta = 1 })
    dv:close()
    st.Sg_prev, st.Yg_prev = Sg, Yg
    return d
  end

  function st.update(_, s, y)              -- s, y: the rows pair() gave
    local sy = core.dot(s, y)
    if sy ~= sy or sy <= 0 then return end
    local order, slot = st.order, st.spare
    order[#order + 1] = slot
    st.spare = #order > S.m and table.remove(order, 1) or table.remove(st.unused)
    st.SY[slot][slot], st.YY[slot][slot] = sy, core.dot(y, y)
    st.rho[slot] = 1 / sy
    st.ss = core.dot(s, s)                 -- of the newest pair, for h0 = "ss/sy"
    st.pending = #order > 1 and slot or nil
  end
  return st
end

-- The Hessian at x: the user's, or forward differences of the gradient
-- (one evaluation per coordinate), symmetrised.
local function hessian(S, x, g)
  if S.hess then
    local H = S.hess(x:clone())
    if is_tensor(H) and H:is_closed() then fail("hess returned a closed tensor") end
    if not is_tensor(H) or H:dim() ~= 2 or H:size(1) ~= S.n or H:size(2) ~= S.n then
      fail("hess must return a (%d, %d) tensor", S.n, S.n)
    end
    H = H:to("float64"):clone()
    if not H:all_finite() then fail("hess returned non-finite entries") end
    return H
  end
  local H = core.zeros(S.n, S.n, "float64")
  local xv = x:totable()
  for j = 1, S.n do
    local h = 1.4901161193847656e-08 * math.max(1, math.abs(xv[j]))   -- sqrt(eps)
    local xp = x:clone()
    xp[j] = xv[j] + h
    local c, gj = evaluate(S, xp)
    if c == nil then return nil end
    if c == math.huge then fail("f is infinite at a finite-difference point") end
    H:select(1, j):copy(gj:sub_(g):div_(h))
  end
  return H:add(H:t()):mul_(0.5)
end

-- Solves (H + mu I) d = -g with the smallest mu in 0, 1e-3 |H|, x10, ...
-- for which Cholesky succeeds (Levenberg's damping), so d goes downhill.
local function damped_newton(S, H, g)
  local scale = math.max(H:abs():max(), 1e-12)
  local mu, I = 0, nil
  for _ = 1, 60 do
    local Hd = H
    if mu > 0 then
      if I == nil then
        I = core.zeros(S.n, S.n, "float64")
        for i = 1, S.n do I[i][i] = 1 end
      end
      Hd = H:add(I:mul(mu))
    end
    -- (solve refuses a solution that overflows: damped more, it shrinks)
    local ok, d = pcall(linalg.cholesky, Hd)
    if ok then ok, d = pcall(linalg.solve, Hd, g) end
    if ok then return d:neg_(), mu end
    mu = mu == 0 and 1e-3 * scale or 10 * mu
  end
  fail("damping could not make the Hessian positive definite")
end

directions.newton = function(S)
  local st = {}
  function st.direction(x, g)
    local H = hessian(S, x, g)
    if H == nil then return nil end
    return (damped_newton(S, H, g))
  end
  function st.update() end
  return st
end

-- ---- the loop --------------------------------------------------------------

local function new_history(S)
  return { cost = {}, grad_norm = {}, step = {}, alpha = {}, nfev = {}, seconds = {},
           path = S.path and {} or nil }
end

-- |v|: sqrt(v'v) by BLAS's dot, three times as fast as v:norm()'s one
-- running sum on 23,860 values (the same up to rounding)
local function norm(v)
  return math.sqrt(core.dot(v, v))
end

local function record(S, hist, x, f, g, step, alpha)
  local k = #hist.cost + 1
  hist.cost[k], hist.grad_norm[k], hist.step[k], hist.alpha[k] = f, norm(g), step, alpha
  hist.nfev[k], hist.seconds[k] = S.nfev, os.clock() - S.t0
  if hist.path then hist.path[k] = x:totable() end
end

local function relative_change_small(S, f_old, f_new)
  return S.ftol > 0 and math.abs(f_old - f_new) <= S.ftol * math.max(math.abs(f_old), math.abs(f_new), 1)
end

-- gd, momentum and Nesterov (in the form whose iterate is the look-ahead
-- point, so the cost and gradient are those of the point reported).
local function fixed_step(S, hist, x, f, g)
  local v = core.zeros(S.n, "float64")
  local mu = S.method == "gd" and 0 or S.mu
  for _ = 1, S.max_iter do
    if S.nfev >= S.max_evals then return x, "max_evals reached" end
    v:mul_(mu):sub_(g:mul(S.eta))                -- v = mu v - eta g
    local s = S.method == "nesterov" and v:mul(mu):sub_(g:mul(S.eta)) or v
    local xn = x:add(s)
    local fn, gn = evaluate(S, xn)
    if fn == math.huge then return xn, "diverged (infinite cost)" end
    record(S, hist, xn, fn, gn, norm(s), S.eta)
    local small = relative_change_small(S, f, fn)
    x, f, g = xn, fn, gn
    S.g = g
    if hist.grad_norm[#hist.grad_norm] <= S.gtol then return x, "gradient norm below gtol", true end
    if small then return x, "relative cost change below ftol", true end
  end
  return x, "max_iter reached"
end

-- Frees the vectors of an iteration that nothing keeps (CG keeps its
-- direction and gradient), and on large problems runs the collector for
-- what it cannot free: the copy of x given to f and the gradient f made,
-- about 16n bytes an evaluation. Lua's collector counts a tensor as a few
-- bytes, not the storage behind it, so left to it an n-vector made each step
-- lives for many steps and every new one lands on fresh pages: on the
-- 23,860-parameter network of bench/lbfgs.lua that page faulting cost as
-- much as f itself (7 ms an iteration besides f). A full collection once
-- GC_BYTES of such vectors have accumulated keeps them in reused pages;
-- collecting at every iteration instead cost 0.4 ms an iteration there.
-- Below BIG_N values a full collection would cost more than the pages it saves.
-- L-BFGS with a fresh_gradient f (lunet.optim.objective) leaves nothing to
-- collect: it frees every vector it makes, the trial points and gradients
-- of its line searches included, and its full collections (0.3-0.4 ms every
-- ten iterations there) were a fiftieth of its time.
local BIG_N = 4096
local GC_BYTES = 4e6

local function leaves_garbage(S)
  return not (S.fresh and S.method == "lbfgs")
end

local function release(S, x, g, d, s, y, in_place)
  x:close()
  if not in_place then
    s:close()
    y:close()
  end
  if S.method ~= "cg" then
    g:close()
    d:close()
  end
  if S.n >= BIG_N and leaves_garbage(S) then
    S.garbage = (S.garbage or 0) + 16 * S.n
    if S.garbage >= GC_BYTES then
      collectgarbage()
      S.garbage = 0
    end
  end
end

local function line_search_method(S, hist, x, f, g)
  local dir = directions[S.method](S)
  local f_prev = f + g:norm() / 2          -- for the first step's guess (N&W 3.60)
  for k = 1, S.max_iter do
    local d = dir.direction(x, g, k)
    if d == nil then return x, "max_evals reached" end
    local d0 = core.dot(g, d)
    if d0 ~= d0 or d0 >= 0 then d, d0 = g:neg(), -core.dot(g, g) end
    -- First trial step: 1 for Newton, and after the first iteration for
    -- L-BFGS with h0 = "sy/yy" and BFGS with scale_h0 (scaled directions);
    -- else min(1, the step that repeats the last decrease) (N&W 3.60): BFGS
    -- from H0 = I is not scaled until it has learnt the curvature; on the
    -- 100-d quadratic this took 110 evaluations where starting at 1 took 402.
    -- L-BFGS's first step (along -g) is min(1, 1/|g|_1), minFunc's and
    -- torch.optim.LBFGS's, so that with h0 = "sy/yy" the two follow the same
    -- path (bench/README.md); h0 = "ss/sy"'s directions are longer than a
    -- step of 1 should take, and N&W 3.60 guesses from the last decrease.
    local a1 = 1
    if S.method == "lbfgs" and k == 1 then
      a1 = math.min(1, 1 / g:abs():sum())
    elseif S.method == "cg" or (S.method == "bfgs" and not S.scale_h0) or (k == 1 and S.method ~= "newton")
        or S.h0 == "ss/sy" then
      a1 = math.min(1, 2.02 * (f - f_prev) / d0)
    end
    if a1 ~= a1 or a1 <= 0 then a1 = 1 end
    local a, xn, fn, gn = M.line_search(S, x, f, d0, d, a1)
    if a == nil then
      return x, xn == "max_evals" and "max_evals reached" or "line search failed"
    end
    local s, y                            -- s = a d, as torch.optim.LBFGS has it
    if dir.pair then
      s, y = dir.pair()
      s:copy(d):mul_(a)
      y:copy(gn):sub_(g)
    else
      s, y = d:mul(a), gn:sub(g)
    end
    dir.update(x, s, y, gn)
    record(S, hist, xn, fn, gn, norm(s), a)
    release(S, x, g, d, s, y, dir.pair ~= nil)
    local small = relative_change_small(S, f, fn)
    x, f_prev, f, g = xn, f, fn, gn
    S.g = g
    if hist.grad_norm[#hist.grad_norm] <= S.gtol then return x, "gradient norm below gtol", true end
    if small then return x, "relative cost change below ftol", true end
  end
  return x, "max_iter reached"
end

-- BFGS keeps an (n, n) inverse Hessian and Newton a few Hessians: past
-- this n (2 GB a matrix) they would fill the memory of most machines
-- before a step, and the kernel's OOM killer ends the process, no error.
local MAX_DENSE_N = 16384

--- minimize.minimize(f, x0 [, opts]) -> x, history
-- Minimises f(x) -> cost, grad (grad a tensor like x) from x0 (a tensor or a
-- list of numbers, used as float64). opts: method = "lbfgs" (also "gd",
-- "momentum", "nesterov", "cg", "bfgs", "newton"), eta, mu, gtol = 1e-6,
-- ftol = 0, max_iter = 1000, max_evals = 10000, c1, c2, m = 10, hess
-- (newton), scale_h0 (bfgs), h0 = "ss/sy" (lbfgs; or "sy/yy"), path. bfgs
-- and newton keep (n, n) matrices: n <= 16384.
-- See the top of lunet/minimize.lua for what each does and
-- what the history holds (cost, grad_norm, step, alpha, nfev, seconds per
-- iterate; converged, reason, iterations, evaluations). Also lunet.optim.minimize.
function M.minimize(f, x0, options)
  if f == M or f == package.loaded["lunet.optim"] then
    fail("call it with a dot, not a colon (lunet.minimize.minimize(f, x0, opts)): it got the module where f goes")
  end
  if not callable(f) then
    fail("f must be a function, got %s", type(f))
  end
  local S = read_options(options)
  local x = start_point(x0)
  if not x:all_finite() then fail("x0 has non-finite entries") end
  S.f, S.n, S.nfev, S.t0, S.fresh = f, x:numel(), 0, os.clock(), fresh_gradient[f]
  if (S.method == "bfgs" or S.method == "newton") and S.n > MAX_DENSE_N then
    fail("method %s keeps (n, n) matrices, %.1f GB each for n = %d: at most n = %d (use lbfgs)", S.method,
      8 * S.n * S.n / 1e9, S.n, MAX_DENSE_N)
  end
  local hist = new_history(S)
  local fx, g = evaluate(S, x)
  S.g = g                        -- the gradient held (check_fresh)
  if fx == math.huge then fail("f is infinite at x0") end
  record(S, hist, x, fx, g, 0, 0)
  local reason, converged
  if hist.grad_norm[1] <= S.gtol then
    reason, converged = "gradient norm below gtol", true
  else
    local run = (S.method == "gd" or S.method == "momentum" or S.method == "nesterov") and fixed_step
      or line_search_method
    x, reason, converged = run(S, hist, x, fx, g)
  end
  hist.converged, hist.reason = converged or false, reason
  hist.iterations, hist.evaluations = #hist.cost - 1, S.nfev
  return x, hist
end

-- lunet.minimize(f, x0, opts) is lunet.minimize.minimize(f, x0, opts): the
-- module is also the function its name promises.
return setmetatable(M, { __call = function(_, ...) return M.minimize(...) end })
