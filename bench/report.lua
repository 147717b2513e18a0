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

if arg[1] == "--accuracy" then
  local a, b = last_json(arg[2]), last_json(arg[3])
  print(("\n%s on %s, %d epochs: test accuracy lunet %.2f%%, PyTorch %.2f%% (difference %.2f points)"):format(
    a.what, a.data, a.epochs, 100 * a.test_accuracy, 100 * b.test_accuracy, 100 * (a.test_accuracy - b.test_accuracy)))
  if a.test_accuracy_at_best_validation and b.test_accuracy_at_best_validation then
    local la, lb = a.test_accuracy_at_best_validation, b.test_accuracy_at_best_validation
    print(("at the best validation epoch (%d and %d): lunet %.2f%%, PyTorch %.2f%% (difference %.2f points)"):format(
      a.best_validation_epoch, b.best_validation_epoch, 100 * la, 100 * lb, 100 * (la - lb)))
  end
  return
end

print(("%-56s %10s %10s %8s"):format("one 50,000-image epoch", "lunet", "PyTorch", "ratio"))
for i = 1, #arg, 2 do
  local l, p = last_json(arg[i]), last_json(arg[i + 1])
  local what = l.what == "mlp-epoch"
      and ("784-%d-10 sigmoid, mini-batch %d"):format(l.sizes[2], l.batch)
      or ("conv 20-40 + FC 100 %s, mini-batch %d"):format(l.activation or "", l.batch)
  what = ("%s, %d thread%s"):format(what, l.threads, l.threads == 1 and "" or "s")
  print(("%-56s %9.3fs %9.3fs %8.3f"):format(what, l.seconds, p.seconds, l.seconds / p.seconds))
end
print("(ratio = lunet time / PyTorch time; medians of repeated epochs, the same thread count on both sides)")
