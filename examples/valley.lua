-- examples/valley.lua: the optimisation lecture's picture. Gradient descent
-- zig-zags across a badly conditioned valley; momentum (the coefficient mu
-- as one minus the friction) cures it (with Polyak's eta and mu in a quarter
-- of descent's iterations), and with mu near 1, no friction, the
-- ball overshoots and circles for a long time; Nesterov looks ahead; CG,
-- BFGS, L-BFGS and Newton use curvature and need a handful of steps.
--
--   bin/lunet examples/valley.lua [--max_iter 5000] [--out out]
--
-- Two functions: the quadratic valley f = (u^2 + 25 v^2) / 2 in coordinates
-- (u, v) turned by 30 degrees (condition number 25), from u = -6, v = 0.8
-- (far along the valley floor, a little up its side); and
-- Rosenbrock's f = (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1). Prints, for
-- each method, the iterations and evaluations of f until |grad| < 1e-6;
-- draws the paths over contour lines (out/valley.svg, out/rosenbrock.svg)
-- and the cost per evaluation (out/valley_cost.svg).

local lunet = require "lunet"
local plot = lunet.plot
local minimize = lunet.minimize.minimize

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "max_iter", 5000, "iteration limit of every run", "count" },
  { "drawn", 150, "iterations of each path drawn (the long ones are cut)", "count" },
  { "out", "out", "directory for the plots", "dir" },
}, "Minimisers on a badly conditioned valley and on Rosenbrock's function.")

local NaN = 0 / 0

-- ---- the functions -----------------------------------------------------------

-- The valley: f(p) = p'Ap/2 with A = R diag(1, 25) R', R a turn by 30 degrees.
local C, S = math.cos(math.pi / 6), math.sin(math.pi / 6)
local A = lunet.tensor({ { C * C + 25 * S * S, C * S - 25 * C * S }, { C * S - 25 * C * S, S * S + 25 * C * C } },
  "float64")
local function valley(p)
  local ap = lunet.mv(A, p)
  return 0.5 * p:dot(ap), ap
end

local function rosenbrock(p)
  local x, y = p[1], p[2]
  return (1 - x) ^ 2 + 100 * (y - x * x) ^ 2,
    lunet.tensor({ -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x) }, "float64")
end

local function rosenbrock_hess(p)
  local x, y = p[1], p[2]
  return lunet.tensor({ { 2 - 400 * (y - 3 * x * x), -400 * x }, { -400 * x, 200 } }, "float64")
end

-- ---- contour lines -------------------------------------------------------------

-- Level c of the valley: the ellipse R (sqrt(2c) cos t, sqrt(2c / 25) sin t).
local function valley_contours(levels)
  local lines = {}
  for _, c in ipairs(levels) do
    local xs, ys = {}, {}
    for i = 0, 120 do
      local t = 2 * math.pi * i / 120
      local u, v = math.sqrt(2 * c) * math.cos(t), math.sqrt(2 * c / 25) * math.sin(t)
      xs[#xs + 1], ys[#ys + 1] = C * u - S * v, S * u + C * v
    end
    lines[#lines + 1] = { x = xs, y = ys }
  end
  return lines
end

-- Level c of Rosenbrock: y = x^2 +- sqrt((c - (1 - x)^2) / 100) for
-- |1 - x| <= sqrt(c), one closed curve; points outside the window are gaps.
local function rosenbrock_contours(levels, window)
  local lines = {}
  for _, c in ipairs(levels) do
    local xs, ys = {}, {}
    local r = math.sqrt(c)
    local function add(x, sign)
      local y = x * x + sign * math.sqrt(math.max(0, c - (1 - x) ^ 2) / 100)
      local inside = x >= window[1] and x <= window[2] and y >= window[3] and y <= window[4]
      xs[#xs + 1], ys[#ys + 1] = x, inside and y or NaN
    end
    for i = 0, 400 do add(1 - r + 2 * r * i / 400, 1) end
    for i = 400, 0, -1 do add(1 - r + 2 * r * i / 400, -1) end
    lines[#lines + 1] = { x = xs, y = ys }
  end
  return lines
end

-- ---- runs ----------------------------------------------------------------------

local function runs_for(valley_like)
  -- The valley's curvatures are 1 and 25. Descent takes eta = 0.075, near
  -- its limit 2 / 25, so it overshoots across the valley at every step;
  -- momentum moves by about eta / (1 - mu) per unit slope, so it gets a
  -- smaller eta (within Nesterov's limit 2 (1 + mu) / ((1 + 2 mu) 25)).
  local eta = valley_like and 0.075 or 1e-3
  local eta_mu = valley_like and 0.02 or 1e-3
  local runs = {
    { "gradient descent", { method = "gd", eta = eta } },
    { "momentum mu=0.5", { method = "momentum", eta = eta_mu, mu = 0.5 } },
    { "momentum mu=0.9", { method = "momentum", eta = eta_mu, mu = 0.9 } },
    { "momentum mu=0.99", { method = "momentum", eta = eta_mu, mu = 0.99 } },
    { "momentum mu=1 (no friction)", { method = "momentum", eta = eta_mu, mu = 1 } },
    { "Nesterov mu=0.9", { method = "nesterov", eta = eta_mu, mu = 0.9 } },
    { "conjugate gradient", { method = "cg" } },
    { "BFGS", { method = "bfgs" } },
    { "L-BFGS", { method = "lbfgs" } },
    { "Newton", { method = "newton", hess = valley_like and function() return A end or rosenbrock_hess } },
  }
  -- Polyak's heavy ball for curvatures m = 1 .. L = 25: eta = 4 / (sqrt L + sqrt m)^2, mu = ((sqrt k - 1) /
  -- (sqrt k + 1))^2 with k = L / m. Its error shrinks by (sqrt k - 1) / (sqrt k + 1) = 2/3 an iteration against
  -- (k - 1) / (k + 1) = 12/13 for descent at its best eta, 2 / (L + m): the rows above, each with an eta
  -- of its own, do not show that cure in iterations; this one does.
  if valley_like then
    runs[#runs + 1] = { "momentum, Polyak's eta, mu", { method = "momentum", eta = 4 / 36, mu = 16 / 36 } }
  end
  return runs
end

local function run_all(name, f, x0, runs)
  print(("\n%s from (%g, %g): until |grad| < 1e-6 or %d iterations"):format(name, x0[1], x0[2], opts.max_iter))
  print(("%-28s %10s %12s %12s  %s"):format("method", "iterations", "evaluations", "final cost", "stopped"))
  local results = {}
  for i, r in ipairs(runs) do
    local o = { path = true, max_iter = opts.max_iter, max_evals = 10 * opts.max_iter }
    for k, v in pairs(r[2]) do o[k] = v end
    local _, h = minimize(f, x0, o)
    results[i] = { name = r[1], history = h }
    print(("%-28s %10d %12d %12.3g  %s"):format(r[1], h.iterations, h.evaluations, h.cost[#h.cost], h.reason))
  end
  return results
end

-- The path of a run as a line series, cut after `drawn` iterations.
local function path_series(r)
  local xs, ys = {}, {}
  for k = 1, math.min(#r.history.path, opts.drawn + 1) do
    xs[k], ys[k] = r.history.path[k][1], r.history.path[k][2]
  end
  return { name = r.name, x = xs, y = ys }
end

local function path_chart(title, results, pick, contours, width)
  local series = {}
  for _, i in ipairs(pick) do series[#series + 1] = path_series(results[i]) end
  return plot.line { title = title, series = series, background = contours, xlabel = "x", ylabel = "y",
    width = width, height = 360 }
end


local U0, V0 = -6, 0.8
local valley_results = run_all("quadratic valley (condition number 25)", valley,
  { C * U0 - S * V0, S * U0 + C * V0 }, runs_for(true))
local rosen_results = run_all("Rosenbrock", rosenbrock, { -1.2, 1 }, runs_for(false))

local vc = valley_contours { 0.25, 1, 3, 8, 16, 26 }
local rc = rosenbrock_contours({ 0.05, 0.5, 2, 8, 25, 80, 250 }, { -2, 2, -1, 3 })
local file = function(name) return opts.out .. "/" .. name end

plot.grid {
  title = "The valley f = (u² + 25 v²)/2, turned by 30°",
  cols = 2, file = file("valley.svg"),
  charts = {
    path_chart("gradient descent, Nesterov", valley_results, { 1, 6 }, vc, 480),
    path_chart("momentum: friction 1 - mu", valley_results, { 2, 3, 11 }, vc, 480),
    path_chart("momentum near no friction", valley_results, { 4, 5 }, vc, 480),
    path_chart("CG, BFGS, L-BFGS, Newton", valley_results, { 7, 8, 9, 10 }, vc, 480),
  },
}
plot.grid {
  title = "Rosenbrock's function from (-1.2, 1)",
  cols = 2, file = file("rosenbrock.svg"),
  charts = {
    path_chart("first steps: descent, momentum 0.9, Nesterov", rosen_results, { 1, 3, 6 }, rc, 480),
    path_chart("CG, BFGS, L-BFGS, Newton", rosen_results, { 7, 8, 9, 10 }, rc, 480),
  },
}

-- cost against evaluations of f, every method that converged on Rosenbrock
local series = {}
for _, r in ipairs(rosen_results) do
  if r.history.converged and r.history.evaluations <= 400 then
    local h = r.history
    local y = {}
    for k = 1, #h.cost do y[k] = math.max(h.cost[k], 1e-20) end
    series[#series + 1] = { name = r.name, x = h.nfev, y = y }
  end
end
-- with a small --max_iter none may have converged: then there is no such plot
if #series == 0 then
  print(("\nwrote %s and %s (no method converged on Rosenbrock within %d iterations: no %s)"):format(
    file("valley.svg"), file("rosenbrock.svg"), opts.max_iter, file("valley_cost.svg")))
  return
end
plot.line { title = "Rosenbrock: cost against evaluations of f", series = series, logy = true,
  xlabel = "evaluations of f", ylabel = "cost", width = 720, height = 450, file = file("valley_cost.svg") }
print(("\nwrote %s, %s and %s"):format(file("valley.svg"), file("rosenbrock.svg"), file("valley_cost.svg")))
