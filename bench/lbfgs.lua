-- bench/lbfgs.lua: lunet's side of the full-batch L-BFGS benchmark
-- (bench/torch_lbfgs.py is PyTorch's). The problem: the 784-30-10 sigmoid
-- network, cross-entropy (mean over the batch, no regularisation), on the
-- first --n Fashion-MNIST training images, float64, from network2's
-- initialisation with --seed. lunet.minimize's L-BFGS (history m = 10,
-- strong Wolfe line search, H0 by --h0: lunet's default "ss/sy", or
-- "sy/yy", PyTorch's rule, step for step its path) runs --iter iterations.
--
--   lua5.4 bench/lbfgs.lua --dir DIR [--iter 100] [--n 1000] [--threads 1] [--h0 ss/sy]
--
-- Writes the problem to DIR for PyTorch (x.npy (n, 784), y.npy (n) labels,
-- w1.npy (30, 784), b1.npy (30), w2.npy (10, 30), b2.npy (10): lunet's
-- weights are (n_out, n_in) like torch.nn.Linear's) and prints one JSON
-- line: the seed, the cost, evaluations so far and CPU seconds (os.clock, from the
-- call of minimize) at every iterate, and the wall seconds of the whole run.

local lunet = require "lunet"

local opts = require("lunet.cli").parse(arg, {
  { "dir", "", "directory for the problem's .npy files (required)" },
  { "data", "fashion", "fashion or mnist" },
  { "n", 1000, "training images in the batch" },
  { "iter", 100, "L-BFGS iterations" },
  { "m", 10, "L-BFGS history" },
  { "threads", 1, "lunet threads" },
  { "seed", 1, "random seed of the initial parameters" },
  { "h0", "ss/sy", "L-BFGS's H0 rule: ss/sy (lunet's default) or sy/yy (PyTorch's)" },
}, "lunet's side of the full-batch L-BFGS benchmark")
if opts.dir == "" then error("bench/lbfgs.lua: --dir is required") end

lunet.threads(opts.threads)
local training = lunet.data.load(opts.data)
local batch = { x = training.x:narrow(1, 1, opts.n):to("float64"):clone(),
  y = training.y:narrow(1, 1, opts.n):clone(), n = opts.n }
lunet.seed(opts.seed)
local net = lunet.Network({ 784, 30, 10 }, { dtype = "float64" })

local function path(name) return opts.dir .. "/" .. name end
lunet.save_npy(path("x.npy"), batch.x)
lunet.save_npy(path("y.npy"), batch.y:to("float64"))
for l = 1, 2 do
  lunet.save_npy(path(("w%d.npy"):format(l)), net.weights[l])
  lunet.save_npy(path(("b%d.npy"):format(l)), net.biases[l])
end

-- Wall-clock seconds (Lua has only os.time, whole seconds): date(1), read
-- twice around the run, which its own cost (a few ms) does not disturb.
local function wall()
  local p = assert(io.popen("date +%s.%N"))
  local t = tonumber(p:read("l"))
  p:close()
  return t
end

local f, w0 = lunet.optim.objective(net, batch)
local t0 = wall()
local _, h = lunet.optim.minimize(f, w0, { method = "lbfgs", m = opts.m, h0 = opts.h0, max_iter = opts.iter,
  max_evals = 100 * opts.iter, gtol = 1e-12 })
local wall_seconds = wall() - t0

local function list(t, fmt)
  local parts = {}
  for i, v in ipairs(t) do parts[i] = fmt:format(v) end
  return "[" .. table.concat(parts, ", ") .. "]"
end
print(('{"framework": "lunet", "what": "lbfgs", "seed": %d, "images": %d, "threads": %d, "m": %d, "h0": "%s", '
  .. '"dtype": "float64", "iterations": %d, "evaluations": %d, "reason": "%s", "cpu_seconds": %.6f, '
  .. '"wall_seconds": %.6f, "cost": %s, "nfev": %s, "seconds": %s}'):format(opts.seed, opts.n, opts.threads,
  opts.m, opts.h0, h.iterations, h.evaluations, h.reason, h.seconds[#h.seconds], wall_seconds, list(h.cost, "%.17g"),
  list(h.nfev, "%d"), list(h.seconds, "%.6f")))
