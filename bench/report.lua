-- bench/report.lua: reads the JSON lines of lunet's and PyTorch's runs
-- (files given as arguments, in pairs: lunet, pytorch) and prints the
-- times and their ratio, or, with --accuracy first, both test accuracies.
local json = require "lunet.json"

local function last_json(path)
  local last
  for line in io.lines(path) do
    if line:match("^%s*{") then last = line end
  end
  if not last then error("no JSON result in " .. path) end
  return json.decode(last)
end

-- --accuracy lunet1 torch1 [lunet2 torch2 ...]: one row per pair (a seed),
-- then the means, which is what to compare: one run's last epoch moves by
-- half a point or more from seed to seed.
if arg[1] == "--accuracy" then
  local rows, sum = {}, { 0, 0, 0, 0 }
  for i = 2, #arg, 2 do
    local a, b = last_json(arg[i]), last_json(arg[i + 1])
    local r = { a.seed or (i // 2), a.test_accuracy, b.test_accuracy, a.test_accuracy_at_best_validation or 0 / 0,
      b.test_accuracy_at_best_validation or 0 / 0, what = a.what, data = a.data, epochs = a.epochs }
    rows[#rows + 1] = r
    for k = 1, 4 do sum[k] = sum[k] + r[k + 1] end
  end
  local first = rows[1]
  print(("\n%s on %s, %d epochs: test accuracy (%%), lunet and PyTorch"):format(first.what, first.data, first.epochs))
  print(("%-6s %10s %10s %8s   %14s %14s %8s"):format("seed", "lunet", "PyTorch", "diff", "lunet at best",
    "PyTorch at best", "diff"))
  local function pct(v, width)   -- "-" where a side did not report the figure
    return v == v and ("%" .. width .. ".2f"):format(100 * v) or ("%" .. width .. "s"):format("-")
  end
  local function row(label, l, p, lb, pb)
    print(("%-6s %s %s %s   %s %s %s"):format(label, pct(l, 10), pct(p, 10), pct(l - p, 8), pct(lb, 14),
      pct(pb, 14), pct(lb - pb, 8)))
  end
  for _, r in ipairs(rows) do row(tostring(r[1]), r[2], r[3], r[4], r[5]) end
  if #rows > 1 then
    local n = #rows
    row("mean", sum[1] / n, sum[2] / n, sum[3] / n, sum[4] / n)
  end
  print("(last epoch, and at the epoch of best validation accuracy, as network3 reports it)")
  return
end

-- --lbfgs lunet torch: the full-batch L-BFGS workload (bench/lbfgs.sh).
-- PyTorch's final cost is the target; lunet's first iterate at or below it
-- gives its iterations and CPU seconds (os.clock at that iterate, against
-- PyTorch's time.process_time at its last evaluation: both CPU time of one
-- thread, which a loaded machine disturbs less than wall time; the wall
-- times of the whole runs are shown too).
local function lbfgs_table(l, p)
  local target = p.final_cost
  local k
  for i, c in ipairs(l.cost) do
    if c <= target then k = i break end
  end
  local pt = p.seconds[#p.seconds]
  print(("\nfull-batch L-BFGS (m = %d, strong Wolfe), 784-30-10 sigmoid cross-entropy on %d images, float64, "
    .. "%d thread"):format(l.m, l.images, l.threads))
  print(("%-40s %12s %12s %12s %10s"):format("", "iterations", "evaluations", "CPU seconds", "wall"))
  print(("%-40s %12d %12d %12.3f %9.3fs"):format(("PyTorch to its final cost %.6g"):format(target), p.iterations,
    p.evaluations, pt, p.wall_seconds))
  if k then
    print(("%-40s %12d %12d %12.3f %10s"):format("lunet to the same cost", k - 1, l.nfev[k], l.seconds[k], "-"))
  else
    print(("%-40s %12s %12d %12s %10s"):format("lunet to the same cost", (">%d"):format(l.iterations),
      l.evaluations, "-", "-"))
  end
  print(("%-40s %12d %12d %12.3f %9.3fs"):format(("lunet, all (final cost %.6g)"):format(l.cost[#l.cost]),
    l.iterations, l.evaluations, l.seconds[#l.seconds], l.wall_seconds))
  if k then
    print(("(iterations: lunet %d vs PyTorch %d; CPU time ratio lunet / PyTorch %.3f)"):format(k - 1, p.iterations,
      l.seconds[k] / pt))
  end
end

if arg[1] == "--lbfgs" then
  lbfgs_table(last_json(arg[2]), last_json(arg[3]))
  return
end

print(("%-56s %10s %10s %8s"):format("one 50,000-image epoch", "lunet", "PyTorch", "ratio"))
local lbfgs_pairs = {}
for i = 1, #arg, 2 do
  local l, p = last_json(arg[i]), last_json(arg[i + 1])
  if l.what == "lbfgs" then
    lbfgs_pairs[#lbfgs_pairs + 1] = { l, p }
    goto continue
  end
  local what = l.what == "mlp-epoch"
      and ("784-%d-10 sigmoid, %s, mini-batch %d"):format(l.sizes[2], l.optimizer == "adam" and "Adam" or "SGD",
        l.batch)
      or ("conv 20-40 + FC 100 %s, mini-batch %d"):format(l.activation or "", l.batch)
  what = ("%s, %d thread%s"):format(what, l.threads, l.threads == 1 and "" or "s")
  print(("%-56s %9.3fs %9.3fs %8.3f"):format(what, l.seconds, p.seconds, l.seconds / p.seconds))
  ::continue::
end
print("(ratio = lunet time / PyTorch time; medians of repeated epochs, the same thread count on both sides)")
for _, pair in ipairs(lbfgs_pairs) do lbfgs_table(pair[1], pair[2]) end
