-- bench/report.lua's L-BFGS tables (bench/lbfgs.sh, make bench): per seed,
-- lunet's first iterate at or below PyTorch's final cost, and the summary
-- over the seeds, on hand-made results whose answers are known; the suite's
-- directory layouts (per-seed files, the single pair from before the seeds,
-- a missing file).
local H = require "spec.helpers"
local json = require "lunet.json"

local function sh(cmd)
  local p = io.popen((os.getenv("LUNET_ASAN") and "" or "env -u LD_PRELOAD ") .. "sh -c '. bench/paths.sh && "
    .. cmd:gsub("'", "'\\''") .. "' 2>&1")
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text, "\n")
  f:close()
end

-- lunet's costs at its five iterates, 0.1 CPU seconds apart; PyTorch's final cost and last time.
local function lunet_run(seed)
  return ('{"framework": "lunet", "what": "lbfgs", "seed": %d, "images": 1000, "threads": 1, "m": 10, '
    .. '"iterations": 4, "evaluations": 6, "reason": "max_iter reached", "cpu_seconds": 0.4, "wall_seconds": 0.5, '
    .. '"cost": [5, 3, 2, 1, 0.5], "nfev": [1, 2, 3, 5, 6], "seconds": [0, 0.1, 0.2, 0.3, 0.4]}'):format(seed)
end
local function torch_run(final, seconds)
  return ('{"framework": "pytorch", "what": "lbfgs", "iterations": 3, "evaluations": 4, "final_cost": %.17g, '
    .. '"cpu_seconds": %g, "wall_seconds": %g, "cost": [5, 4], "seconds": [0, %g]}'):format(final, seconds,
    seconds, seconds)
end

describe("bench/report.lua --lbfgs", function()
  local dir = H.tmpname("-lbfgs")
  os.execute("mkdir -p " .. dir)
  -- seed 1 reaches 1.5 at iteration 3 (PyTorch 3; 0.3 s against 0.6), seed 2 reaches 0.9 at 4
  -- (0.4 s against 1.0), seed 3 never reaches 0.1.
  local targets = { { 1.5, 0.6 }, { 0.9, 1.0 }, { 0.1, 0.7 } }
  for seed, t in ipairs(targets) do
    write(("%s/lbfgs-lunet-%d"):format(dir, seed), lunet_run(seed))
    write(("%s/lbfgs-torch-%d"):format(dir, seed), torch_run(t[1], t[2]))
  end
  write(dir .. "/lbfgs-seeds", "1\n2\n3")
  write(dir .. "/probe", '{"gflops": 100.0, "blas": "Haswell"}')

  local function pairs_args(n)
    local a = {}
    for seed = 1, n do a[#a + 1] = ("%s/lbfgs-lunet-%d %s/lbfgs-torch-%d"):format(dir, seed, dir, seed) end
    return table.concat(a, " ")
  end

  it("gives each seed's iterations and time ratio and the summary over the seeds", function()
    local ok, out = sh("lua5.4 bench/report.lua --lbfgs " .. pairs_args(3))
    assert.is_true(ok, out)
    assert.matches("lunet to the same cost%s+3%s+5%s+0%.300", out)
    assert.matches("CPU time ratio lunet / PyTorch 0%.500%)", out)
    -- issue 10's two goals for the headline seed: 3 iterations against 3, ratio 0.5
    assert.matches("goals: iterations <= PyTorch's met; CPU time ratio <= 0%.50 met", out)
    assert.matches("\n1%s+1%.5%s+3%s+3%s+5%s+4%s+0%.500\n", out)
    assert.matches("\n2%s+0%.9%s+4%s+3%s+6%s+4%s+0%.400\n", out)
    assert.matches("\n3%s+0%.1%s+>4%s+3%s+%-%s+4%s+%-\n", out)
    assert.matches("summary over 3 seeds: lunet needs no more iterations than PyTorch on 1; median iterations "
      .. "lunet 4, PyTorch 3; median CPU time ratio lunet / PyTorch 0%.450 %(over the 2 seeds where lunet "
      .. "reached the cost%)", out)
  end)

  it("gives one seed's table alone, as before the seeds", function()
    local ok, out = sh("lua5.4 bench/report.lua --lbfgs " .. pairs_args(1))
    assert.is_true(ok, out)
    assert.matches("lunet 3 vs PyTorch 3", out)
    assert.is_nil(out:find("summary", 1, true))
  end)

  it("refuses an odd number of files", function()
    local ok, out = sh(("lua5.4 bench/report.lua --lbfgs %s/lbfgs-lunet-1"):format(dir))
    assert.is_falsy(ok)
    assert.matches("needs pairs of result files", out)
  end)

  it("reads the suite's directory, seed by seed, into its JSON", function()
    local ok, out = sh(("lua5.4 bench/report.lua --dir %s --json %s/out.json"):format(dir, dir))
    assert.is_true(ok, out)
    assert.matches("summary over 3 seeds", out)
    local f = assert(io.open(dir .. "/out.json"))
    local l = json.decode(f:read("a")).lbfgs
    f:close()
    assert.equal(3, #l.seeds)
    assert.equal(1, l.summary.at_most_pytorch)
    assert.equal(4, l.summary.median_lunet_iterations)
    assert.near(0.45, l.summary.median_ratio, 1e-6)
    assert.equal(3, l.seeds[1].lunet_iterations)
    assert.near(0.4, l.seeds[2].ratio, 1e-6)
    assert.is_false(l.seeds[3].reached)
    assert.equal(1, l.lunet.seed)             -- the headline seed's runs in full
    assert.equal(5, #l.lunet.cost)
  end)

  it("reads a directory from before the seeds as one seed, and names a missing file", function()
    local old = H.tmpname("-lbfgs-old")
    os.execute("mkdir -p " .. old)
    write(old .. "/probe", '{"gflops": 100.0, "blas": "Haswell"}')
    write(old .. "/lbfgs-lunet", lunet_run(1))
    write(old .. "/lbfgs-torch", torch_run(1.5, 0.6))
    local ok, out = sh(("lua5.4 bench/report.lua --dir %s --json %s/out.json"):format(old, old))
    assert.is_true(ok, out)
    assert.matches("lunet 3 vs PyTorch 3", out)
    local f = assert(io.open(old .. "/out.json"))
    assert.equal(1, #json.decode(f:read("a")).lbfgs.seeds)
    f:close()
    os.remove(dir .. "/lbfgs-torch-2")
    ok, out = sh(("lua5.4 bench/report.lua --dir %s"):format(dir))
    assert.is_falsy(ok)
    assert.matches("lbfgs%-torch%-2 is missing", out)
    os.execute(("rm -rf %s %s"):format(old, dir))
  end)
end)
