-- bench/report.lua: reads the JSON lines of lunet's and PyTorch's runs and
-- prints the suite's table (bench/run.sh: times, ratios, GFLOP/s against
-- the probe's peak, memory, the goals) with its JSON file; with --accuracy
-- first, both test accuracies; with --lbfgs, the L-BFGS table alone.
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

-- --lbfgs lunet1 torch1 [lunet2 torch2 ...]: the full-batch L-BFGS workload
-- (bench/lbfgs.sh), one pair of runs per seed. PyTorch's final cost is the
-- target; lunet's first iterate at or below it gives its iterations and CPU
-- seconds (os.clock at that iterate, against PyTorch's time.process_time at
-- its last evaluation: both CPU time of one thread, which a loaded machine
-- disturbs less than wall time; the wall times of the whole runs are shown
-- too). The first pair is the headline table; with more than one, a line
-- per seed and a summary follow.

-- One seed's figures: k is lunet's iterate index at the target (nil: never).
local function lbfgs_seed(l, p, index)
  local target = p.final_cost
  local k
  for i, c in ipairs(l.cost) do
    if c <= target then k = i break end
  end
  local pt = p.seconds[#p.seconds]
  return { seed = l.seed or index, target_cost = target, reached = k ~= nil,
    lunet_iterations = k and k - 1 or nil, lunet_evaluations = k and l.nfev[k] or nil,
    lunet_seconds = k and l.seconds[k] or nil, lunet_budget = l.iterations,
    pytorch_iterations = p.iterations, pytorch_evaluations = p.evaluations, pytorch_seconds = pt,
    ratio = k and l.seconds[k] / pt or nil }
end

local function median(v)
  if #v == 0 then return nil end
  local s = table.move(v, 1, #v, 1, {})
  table.sort(s)
  local h = #s // 2
  return #s % 2 == 1 and s[h + 1] or (s[h] + s[h + 1]) / 2
end

local function lbfgs_headline(l, p, r)
  -- runs from before the h0 option used PyTorch's rule
  print(("\nfull-batch L-BFGS (m = %d, strong Wolfe; lunet's h0 = %s), 784-30-10 sigmoid cross-entropy on %d "
    .. "images, float64, %d thread, seed %d"):format(l.m, l.h0 or "sy/yy", l.images, l.threads, r.seed))
  print(("%-40s %12s %12s %12s %10s"):format("", "iterations", "evaluations", "CPU seconds", "wall"))
  print(("%-40s %12d %12d %12.3f %9.3fs"):format(("PyTorch to its final cost %.6g"):format(r.target_cost),
    p.iterations, p.evaluations, r.pytorch_seconds, p.wall_seconds))
  if r.reached then
    print(("%-40s %12d %12d %12.3f %10s"):format("lunet to the same cost", r.lunet_iterations,
      r.lunet_evaluations, r.lunet_seconds, "-"))
  else
    print(("%-40s %12s %12d %12s %10s"):format("lunet to the same cost", (">%d"):format(l.iterations),
      l.evaluations, "-", "-"))
  end
  print(("%-40s %12d %12d %12.3f %9.3fs"):format(("lunet, all (final cost %.6g)"):format(l.cost[#l.cost]),
    l.iterations, l.evaluations, l.seconds[#l.seconds], l.wall_seconds))
  if r.reached then
    print(("(iterations: lunet %d vs PyTorch %d; CPU time ratio lunet / PyTorch %.3f)"):format(r.lunet_iterations,
      p.iterations, r.ratio))
  end
  -- issue 10's goals for this seed: no more iterations than PyTorch, at most half its CPU time
  local met = function(ok) return ok and "met" or "NOT MET" end
  print(("goals: iterations <= PyTorch's %s; CPU time ratio <= 0.50 %s"):format(
    met(r.reached and r.lunet_iterations <= p.iterations), met(r.reached and r.ratio <= 0.5)))
end

-- The per-seed lines and the summary; returns the summary's figures.
local function lbfgs_seeds(rows)
  print("\nper seed: lunet's iterations and evaluations to PyTorch's final cost, PyTorch's, CPU time ratio")
  print(("%-6s %14s %10s %10s %10s %10s %10s"):format("seed", "PyTorch cost", "lunet it", "PyTorch it", "lunet ev",
    "PyTorch ev", "CPU ratio"))
  local at_most, its, pits, ratios = 0, {}, {}, {}
  for _, r in ipairs(rows) do
    local it = r.reached and tostring(r.lunet_iterations) or (">%d"):format(r.lunet_budget)
    print(("%-6d %14.6g %10s %10d %10s %10d %10s"):format(r.seed, r.target_cost, it, r.pytorch_iterations,
      r.reached and tostring(r.lunet_evaluations) or "-", r.pytorch_evaluations,
      r.ratio and ("%.3f"):format(r.ratio) or "-"))
    if r.reached and r.lunet_iterations <= r.pytorch_iterations then at_most = at_most + 1 end
    its[#its + 1] = r.reached and r.lunet_iterations or math.huge
    pits[#pits + 1] = r.pytorch_iterations
    ratios[#ratios + 1] = r.ratio
  end
  local summary = { seeds = #rows, at_most_pytorch = at_most, median_lunet_iterations = median(its),
    median_pytorch_iterations = median(pits), median_ratio = median(ratios), ratio_seeds = #ratios }
  local mi = summary.median_lunet_iterations
  print(("summary over %d seeds: lunet needs no more iterations than PyTorch on %d; median iterations lunet %s, "
    .. "PyTorch %s; median CPU time ratio lunet / PyTorch %s%s"):format(#rows, at_most,
    mi == math.huge and "-" or ("%g"):format(mi), ("%g"):format(summary.median_pytorch_iterations),
    summary.median_ratio and ("%.3f"):format(summary.median_ratio) or "-",
    #ratios < #rows and (" (over the %d seeds where lunet reached the cost)"):format(#ratios) or ""))
  if mi == math.huge then summary.median_lunet_iterations = nil end
  return summary
end

-- runs: a list of { lunet = decoded JSON, pytorch = decoded JSON }, the headline first.
local function lbfgs_table(runs)
  local rows = {}
  for i, run in ipairs(runs) do rows[i] = lbfgs_seed(run.lunet, run.pytorch, i) end
  lbfgs_headline(runs[1].lunet, runs[1].pytorch, rows[1])
  local summary = #rows > 1 and lbfgs_seeds(rows) or nil
  return rows, summary
end

if arg[1] == "--lbfgs" then
  if #arg < 3 or #arg % 2 == 0 then
    error("bench/report.lua --lbfgs needs pairs of result files: lunet1 torch1 [lunet2 torch2 ...]", 0)
  end
  local runs = {}
  for i = 2, #arg, 2 do runs[#runs + 1] = { lunet = last_json(arg[i]), pytorch = last_json(arg[i + 1]) } end
  lbfgs_table(runs)
  return
end

-- The suite (bench/run.sh): --dir DIR --blas MODE --cores N --json PATH id...
-- DIR holds probe, ID.lunet and ID.torch for every id, and bench/lbfgs.sh's
-- results (lbfgs-seeds and a pair of files per seed). One table, then
-- L-BFGS's, and the JSON file.
local opts = { ids = {} }
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    if a:match("^%-%-") then
      opts[a:sub(3)] = arg[i + 1]
      i = i + 2
    else
      opts.ids[#opts.ids + 1] = a
      i = i + 1
    end
  end
end
if not opts.dir then error("bench/report.lua: --dir is required (see bench/run.sh)") end
local blas_mode, cores = opts.blas or "platform", tonumber(opts.cores or 1)

-- The issue's goals (ratio lunet / PyTorch at most this), by workload and BLAS mode.
local TARGETS = {
  platform = { ["mlp30-b10-t1"] = 0.15, ["conv-b10-t1"] = 0.40, ["conv-b10-all"] = 0.33,
    ["infer-conv-t1"] = 0.5, ["infer-mlp30-t1"] = 1.0, ["adam30-b10-t1"] = 0.20 },
  native = { ["mlp30-b10-t1"] = 0.10, ["conv-b10-all"] = 0.28, ["adam30-b10-t1"] = 0.20 },
}

local function describe(id, l)
  local threads = ("%d thread%s"):format(l.threads, l.threads == 1 and "" or "s")
  if l.what == "mlp-epoch" then
    return ("784-%d-10 %s, mini-batch %d, %s"):format(l.sizes[2], l.optimizer == "adam" and "Adam" or "SGD",
      l.batch, threads)
  elseif l.what == "conv-epoch" then
    return ("conv 20-40 + FC 100 %s, mini-batch %d, %s"):format(l.activation, l.batch, threads)
  elseif l.what == "mlp-infer" then
    return ("inference 784-%d-10 on %d images, %s"):format(l.sizes[2], l.test_images, threads)
  elseif l.what == "conv-infer" then
    return ("inference conv on %d images, %s"):format(l.test_images, threads)
  end
  return id
end

local probe = last_json(opts.dir .. "/probe")
local rows = {}
for _, id in ipairs(opts.ids) do
  local l, p = last_json(opts.dir .. "/" .. id .. ".lunet"), last_json(opts.dir .. "/" .. id .. ".torch")
  -- the peak of this row's thread budget: the probe's one-thread peak times the threads
  local peak = probe.gflops * l.threads
  local gflops = l.flops and l.flops / l.seconds / 1e9 or nil
  local target = (TARGETS[blas_mode] or {})[id]
  rows[#rows + 1] = {
    id = id, what = describe(id, l), threads = l.threads, batch = l.batch, lunet_seconds = l.seconds,
    pytorch_seconds = p.seconds, ratio = l.seconds / p.seconds, lunet_all = l.all, pytorch_all = p.all,
    gflops = gflops, peak_fraction = gflops and gflops / peak or nil, flops = l.flops,
    lunet_peak_rss_mb = l.peak_rss_mb, pytorch_peak_rss_mb = p.peak_rss_mb, images = l.images or l.test_images,
    pytorch_loop = p.loop, pytorch_chunk = p.chunk, lunet_blas = l.blas, pytorch_blas = p.blas,
    target = target, met = target and l.seconds / p.seconds <= target or nil,
  }
end

print(("GEMM probe: %.1f GFLOP/s (1024^3 sgemm, one thread, kernels %s); peak of n threads taken as n times that")
  :format(probe.gflops, probe.blas))
for _, r in ipairs(rows) do
  if r.what:match("epoch") == nil and r.images and not r.id:match("^infer") then
    print(("training epochs of %d images"):format(r.images))
    break
  end
end
print(("%-52s %9s %9s %7s %8s %6s %13s %s"):format("workload", "lunet", "PyTorch", "ratio", "GFLOP/s", "peak",
  "RSS MB l / P", "goal"))
local function opt(fmt, v, width)
  return v and fmt:format(v) or ("%" .. width .. "s"):format("-")
end
for _, r in ipairs(rows) do
  local rss = r.what:match("^conv") and ("%6.0f / %-6.0f"):format(r.lunet_peak_rss_mb or 0, r.pytorch_peak_rss_mb or 0)
    or ("%13s"):format("")
  local goal = r.target and ("<= %.2f %s"):format(r.target, r.met and "met" or "NOT MET") or ""
  print(("%-52s %8.3fs %8.3fs %7.3f %8s %6s %s %s"):format(r.what, r.lunet_seconds, r.pytorch_seconds, r.ratio,
    opt("%8.1f", r.gflops, 8), opt("%5.0f%%", r.peak_fraction and 100 * r.peak_fraction, 6), rss, goal))
end
local first = rows[1] or {}
print(("(ratio = lunet / PyTorch, medians; GFLOP/s: lunet's matrix-product work over its time; peak: of the probe "
  .. "times the threads; RSS: peak resident memory of each side's process, data included; OpenBLAS kernels: "
  .. "lunet %s, PyTorch %s)"):format(first.lunet_blas or "?", first.pytorch_blas or "?"))
for _, r in ipairs(rows) do
  if r.peak_fraction and r.peak_fraction > 1 then
    print("(over 100% of the peak: lunet's own AVX-512 kernels (the conv layers, the skinny dense products) are "
      .. "not bound by the kernels OpenBLAS runs for the probe)")
    break
  end
end

-- L-BFGS: lbfgs-seeds lists the seeds, each with lbfgs-lunet-SEED and
-- lbfgs-torch-SEED (bench/lbfgs.sh); a directory from before the seeds has
-- lbfgs-lunet and lbfgs-torch alone, read as one seed; neither, no table.
local function readable(path)
  local f = io.open(path)
  if f then f:close() end
  return f ~= nil
end

local function lbfgs_runs(dir)
  local function pair(l, p)
    for _, path in ipairs { l, p } do
      if not readable(path) then
        error(("bench/report.lua: %s is missing (an L-BFGS result bench/lbfgs.sh writes)"):format(path), 0)
      end
    end
    return { lunet = last_json(l), pytorch = last_json(p) }
  end
  if readable(dir .. "/lbfgs-seeds") then
    local runs = {}
    for seed in io.lines(dir .. "/lbfgs-seeds") do
      if seed:match("%S") then
        if not seed:match("^%s*%d+%s*$") then
          error(("bench/report.lua: %s/lbfgs-seeds has '%s', not a seed"):format(dir, seed), 0)
        end
        seed = seed:match("%d+")
        runs[#runs + 1] = pair(("%s/lbfgs-lunet-%s"):format(dir, seed), ("%s/lbfgs-torch-%s"):format(dir, seed))
      end
    end
    if #runs == 0 then error(("bench/report.lua: %s/lbfgs-seeds lists no seed"):format(dir), 0) end
    return runs
  elseif readable(dir .. "/lbfgs-lunet") then
    return { pair(dir .. "/lbfgs-lunet", dir .. "/lbfgs-torch") }
  end
end

local lbfgs
local runs = lbfgs_runs(opts.dir)
if runs then
  local seeds, summary = lbfgs_table(runs)
  -- the headline seed's two runs in full, as before the seeds; then every seed's figures
  lbfgs = { lunet = runs[1].lunet, pytorch = runs[1].pytorch, seeds = seeds, summary = summary }
end

-- a small JSON writer: numbers, strings, booleans, lists and string-keyed tables
local function encode(v)
  local t = type(v)
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return math.type(v) == "integer" and tostring(v) or ("%.6g"):format(v)
  elseif t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c) return ("\\u%04x"):format(c:byte()) end) .. '"'
  elseif t == "boolean" then
    return tostring(v)
  elseif t == "table" then
    if #v > 0 or next(v) == nil then
      local parts = {}
      for i, x in ipairs(v) do parts[i] = encode(x) end
      return "[" .. table.concat(parts, ", ") .. "]"
    end
    local keys, parts = {}, {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    for i, k in ipairs(keys) do parts[i] = encode(k) .. ": " .. encode(v[k]) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  return "null"
end

if opts.json then
  local out = assert(io.open(opts.json, "w"))
  out:write(encode {
    blas_mode = blas_mode, cores = cores, date = os.date("!%Y-%m-%dT%H:%M:%SZ"),
    openblas_coretype = os.getenv("OPENBLAS_CORETYPE") or "unset", probe = probe, rows = rows, lbfgs = lbfgs,
  }, "\n")
  out:close()
  print(("\nJSON: %s"):format(opts.json))
end
