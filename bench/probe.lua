-- bench/probe.lua: the GEMM peak of this run, which the report divides
-- lunet's achieved GFLOP/s by. A 1024 x 1024 x 1024 float32 product
-- (lunet.matmul: one OpenBLAS call, on one thread, as every product lunet
-- runs), best of --repeat after a warm-up: the most the kernels OpenBLAS
-- chose here give a single core. One JSON line.
--
--   lua5.4 bench/probe.lua [--size 1024] [--repeat 10]
local lunet = require "lunet"
local core = require "lunet.core"

local opts = require("lunet.cli").parse(arg, {
  { "size", 1024, "matrix order" },
  { "repeat", 10, "timed products; the best is reported" },
}, "the sgemm probe of make bench")

local n = opts.size
lunet.seed(1)
local a, b = lunet.rand(n, n), lunet.rand(n, n)
local _ = lunet.matmul(a, b)
local best = math.huge
for _ = 1, opts["repeat"] do
  local t0 = core.clock()
  _ = lunet.matmul(a, b)
  best = math.min(best, core.clock() - t0)
end
print(('{"what": "sgemm-probe", "size": %d, "seconds": %.6g, "gflops": %.6g, "blas": "%s"}'):format(n, best,
  2 * n ^ 3 / best / 1e9, core.blas_core()))
