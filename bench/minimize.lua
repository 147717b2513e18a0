-- bench/minimize.lua [DIR]: lunet.minimize's iteration and evaluation counts
-- to a gradient 2-norm below 1e-6, on Rosenbrock from (-1.2, 1) and on a
-- 100-dimensional quadratic x'Ax/2 - b'x with condition number 1000.
-- Writes the quadratic (A.npy, b.npy) and the counts (lunet.txt) to DIR
-- (default build/bench-minimize) for bench/scipy_minimize.py, which runs
-- SciPy on the same problems and prints both side by side.
local lunet = require "lunet"
local minimize = lunet.minimize.minimize

local dir = arg[1] or "build/bench-minimize"
assert(os.execute(("mkdir -p '%s'"):format(dir)))

local function rosenbrock(x)
  local a, b = x[1], x[2]
  local c = (1 - a) ^ 2 + 100 * (b - a * a) ^ 2
  return c, lunet.tensor({ -2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a) }, "float64")
end

-- A = Q diag(d) Q^T, d geometric from 1 to 1000, Q three seeded Householder
-- reflections; b seeded normal. Saved, so SciPy sees the same numbers.
local function quadratic(n)
  lunet.seed(2024)
  local q = lunet.zeros(n, n, "float64")
  for i = 1, n do q[i][i] = 1 end
  for _ = 1, 3 do
    local u = lunet.randn(n, "float64")
    local r = lunet.outer(u, u):mul(-2 / u:dot(u))
    for i = 1, n do r[i][i] = r[i][i] + 1 end
    q = lunet.matmul(q, r)
  end
  local d = {}
  for i = 1, n do d[i] = 1000 ^ ((i - 1) / (n - 1)) end
  local a = lunet.matmul(q:mul(lunet.tensor(d, "float64"):view(1, n)), q:t())
  a = a:add(a:t()):mul(0.5)
  return a, lunet.randn(n, "float64")
end

local A, b = quadratic(100)
lunet.save_npy(dir .. "/A.npy", A)
lunet.save_npy(dir .. "/b.npy", b)
-- x'Ax/2 - b'x written as (x - x*)'A(x - x*)/2 + const: the same
-- minimiser and gradient, and a cost near 0 at the end, so its changes are
-- not lost to rounding against |f*| before |grad| reaches 1e-6.
local xstar = lunet.linalg.solve(A, b)
local function quad(x)
  local e = x:sub(xstar)
  local ae = lunet.mv(A, e)
  return 0.5 * e:dot(ae), ae
end

local problems = {
  { "rosenbrock", rosenbrock, { -1.2, 1 } },
  { "quadratic100", quad, lunet.zeros(100, "float64") },
}
local out = assert(io.open(dir .. "/lunet.txt", "w"))
print(("%-13s %-6s %6s %6s  %-26s %s"):format("problem", "method", "iters", "evals", "reason", "final |g|"))
for _, p in ipairs(problems) do
  for _, method in ipairs { "bfgs", "lbfgs", "cg" } do
    local _, h = minimize(p[2], p[3], { method = method, gtol = 1e-6, max_iter = 10000 })
    print(("%-13s %-6s %6d %6d  %-26s %.2e"):format(p[1], method, h.iterations, h.evaluations, h.reason,
      h.grad_norm[#h.grad_norm]))
    out:write(("%s %s %d %d %s\n"):format(p[1], method, h.iterations, h.evaluations, tostring(h.converged)))
  end
end
out:close()
