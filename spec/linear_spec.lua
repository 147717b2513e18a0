-- csrc/kern_linear.c: the dense layer's own forward product, y = x w^T + b,
-- against its textbook loops, in float32 and float64: every remainder of
-- the 3 x 4 blocks and of the vector length (odd m, n, k), the MLP's
-- shapes, NaN and infinity passing through; and a dense layer's forward
-- pass equal to GEMM + bias through either path.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"

-- whether the kernel runs here for m rows of n outputs: AVX2, and with
-- OpenBLAS on its AVX-512 kernels only for many rows of few outputs
local function expect_taken(m, n)
  local core_name = core.blas_core()
  local wide = core_name:match("SkylakeX") or core_name:match("Cooperlake") or core_name:match("SapphireRapids")
  return core._vmath_vectorised() and (not wide or (m >= 128 and n <= 32))
end

describe("linear: y = x w^T + b", function()
  for _, dtype in ipairs { "float32", "float64" } do
    local tol = dtype == "float64" and 1e-13 or 2e-6
    it(dtype .. " matches the textbook loops for every block and vector remainder", function()
      lunet.seed(41)
      for _, c in ipairs {
        { 1, 1, 1 }, { 2, 3, 7 }, { 3, 4, 8 }, { 4, 5, 9 }, { 5, 7, 15 }, { 6, 8, 16 }, { 7, 9, 17 },
        { 10, 30, 784 }, { 10, 10, 30 }, { 11, 13, 33 }, { 1, 100, 3 }, { 200, 30, 784 }, { 13, 1, 5 },
      } do
        local m, n, k = c[1], c[2], c[3]
        local x, w, b = lunet.randn(m, k, dtype), lunet.randn(n, k, dtype), lunet.randn(n, dtype)
        local y, taken = core._linear(x, w, b)
        local ref = core._linear(x, w, b, true)
        -- relative to the size of the sum of |terms| (about sqrt(k))
        H.near(y, ref, tol * math.sqrt(k), ("%s m %d n %d k %d"):format(dtype, m, n, k))
        -- the AVX2 blocks too where AVX-512 runs
        local narrow = core._linear(x, w, b, false, true)
        H.near(narrow, ref, tol * math.sqrt(k), ("%s AVX2 m %d n %d k %d"):format(dtype, m, n, k))
        -- taken wherever w stays in the L2 cache (512 KB), where it is the faster choice
        local fits = n * k * (dtype == "float64" and 8 or 4) <= 512 * 1024
        if expect_taken(m, n) then assert.equal(fits, taken, ("taken, n %d k %d"):format(n, k)) end
      end
    end)

    it(dtype .. " passes NaN and infinity through as the sum does", function()
      local x = lunet.ones(4, 9, dtype)
      x[{ 2, 3 }] = 0 / 0
      x[{ 3, 9 }] = math.huge
      local w, b = lunet.ones(5, 9, dtype), lunet.zeros(5, dtype)
      for _, narrow in ipairs { false, true } do
        local y = core._linear(x, w, b, false, narrow)
        for j = 1, 5 do
          assert.equal(9, y[{ 1, j }])
          assert.is_true(y[{ 2, j }] ~= y[{ 2, j }])
          assert.equal(math.huge, y[{ 3, j }])
        end
      end
    end)
  end

  it("a dense layer's forward pass equals GEMM + bias, float32 and float64", function()
    lunet.seed(42)
    for _, dtype in ipairs { "float32", "float64" } do
      local layer = lunet.nn.Linear(784, 30)
      local model = lunet.nn.Sequential({ layer }, { input = { 784 }, dtype = dtype })
      local x = lunet.rand(17, 784, dtype)
      local want = lunet.gemm(x, layer.weight, lunet.zeros(17, 30, dtype), { transB = true })
      for i = 1, 17 do
        for j = 1, 30 do want[{ i, j }] = want[{ i, j }] + layer.bias[j] end
      end
      H.near(model:forward(x), want, dtype == "float64" and 1e-12 or 1e-5, dtype)
    end
  end)
end)
