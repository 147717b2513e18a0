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

print(("%-56s %10s %10s %8s"):format("one 50,000-image epoch", "lunet", "PyTorch", "ratio"))
for i = 1, #arg, 2 do
  local l, p = last_json(arg[i]), last_json(arg[i + 1])
  local what = l.what == "mlp-epoch"
      and ("784-%d-10 sigmoid, %s, mini-batch %d"):format(l.sizes[2], l.optimizer == "adam" and "Adam" or "SGD",
        l.batch)
      or ("conv 20-40 + FC 100 %s, mini-batch %d"):format(l.activation or "", l.batch)
  what = ("%s, %d thread%s"):format(what, l.threads, l.threads == 1 and "" or "s")
  print(("%-56s %9.3fs %9.3fs %8.3f"):format(what, l.seconds, p.seconds, l.seconds / p.seconds))
end
print("(ratio = lunet time / PyTorch time; medians of repeated epochs, the same thread count on both sides)")
