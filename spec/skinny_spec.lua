-- The float64 products with a narrow side (csrc/skinny.c): the AVX2 and
-- AVX-512 kernels against the plain reference at odd sizes and strides,
-- and the dense layer that uses them against the BLAS path.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"

-- An (r, c) float64 matrix whose rows are `pad` values longer than c (a
-- narrowed view: its row stride is c + pad), with values of mixed signs
-- and magnitudes, some exact zeros (like image pixels).
local function matrix(r, c, pad, seed)
  local full = lunet.randn(r, c + pad, "float64")
  local t = full:totable()
  for i = 1, r do
    for j = 1, c + pad do
      local k = (i * 31 + j * 17 + seed) % 11
      if k == 0 then t[i][j] = 0 elseif k == 1 then t[i][j] = t[i][j] * 1e3 elseif k == 2 then t[i][j] = -1e-3 end
    end
  end
  return lunet.tensor(t, "float64"):narrow(2, 1, c)
end

local function levels()
  local have = {}
  for level = 1, 2 do
    local a, b, c = matrix(1, 1, 0, 1), matrix(1, 1, 0, 2), lunet.zeros(1, 1, "float64")
    if core._skinny(level == 1 and "nt" or "tn", level, a, b, c) == level then have[#have + 1] = level end
  end
  return have
end

-- |fast - ref| within a few roundings of the sum of |terms| (bound, the
-- same product on absolute values): the values cancel, so a relative test
-- on the result itself would demand more than any summation order gives.
local function close(fast, ref, bound, terms, what)
  local f, r, b = H.flat(fast:totable()), H.flat(ref:totable()), H.flat(bound:totable())
  assert.are.equal(#r, #f)
  for i = 1, #r do
    assert(math.abs(f[i] - r[i]) <= 4 * terms * 2 ^ -52 * (b[i] + math.abs(r[i])),
      ("%s: element %d: %.17g vs %.17g"):format(what, i, f[i], r[i]))
  end
end

local SIZES = {   -- m (samples), n (narrow side, <= 64), k (wide side)
  { 1, 1, 1 }, { 2, 3, 7 }, { 3, 4, 8 }, { 5, 5, 9 }, { 17, 30, 33 }, { 4, 64, 17 }, { 203, 30, 100 },
  { 49, 7, 784 }, { 26, 10, 30 }, { 7, 63, 65 },
  -- 32 rows and more with at most 32 columns: the product over B^T in chunks of 128 columns of A
  { 64, 32, 300 }, { 37, 16, 129 }, { 40, 9, 256 }, { 32, 1, 5 }, { 95, 25, 128 }, { 83, 30, 784 }, { 33, 17, 23 },
}

describe("skinny float64 products", function()
  local have = levels()

  it("runs at least the reference; on x86-64 with AVX2 also the vector kernels", function()
    local name, used = core._skinny_level()
    assert.is_true(name == "none" or name == "avx2" or name == "avx512")
    assert.are.equal(name == "avx512", used)   -- the dense layers take only the AVX-512 kernels
  end)

  it("C = A B^T and C += A B^T agree with the reference at odd sizes and strides", function()
    lunet.seed(71)
    for _, level in ipairs(have) do
      for s, size in ipairs(SIZES) do
        local m, n, k = size[1], size[2], size[3]
        local a, b = matrix(m, k, s % 3, s), matrix(n, k, (s + 1) % 4, s + 5)
        for beta = 0, 1 do
          local c0 = matrix(m, n, s % 2, s + 9)
          local ref, fast = c0:clone(), c0:clone()
          assert.are.equal(0, core._skinny("nt", 0, a, b, ref, beta))
          assert.are.equal(level, core._skinny("nt", level, a, b, fast, beta))
          local bound = c0:abs()
          core._skinny("nt", 0, a:abs(), b:abs(), bound, beta)
          close(fast, ref, bound, k + 1, ("nt level %d m %d n %d k %d beta %d"):format(level, m, n, k, beta))
        end
      end
    end
  end)

  it("C = A B^T over B transposed once (ntp) is ln_skinny_nt's, bit for bit from 32 rows", function()
    lunet.seed(75)
    local ran_fast = false
    for s, size in ipairs(SIZES) do
      local m, n, k = size[1], size[2], size[3]
      if n <= 32 then
        local a, b = matrix(m, k, s % 3, s), matrix(n, k, (s + 1) % 4, s + 5)
        for beta = 0, 1 do
          local c0 = matrix(m, n, s % 2, s + 9)
          local ref, packed, plain = c0:clone(), c0:clone(), c0:clone()
          assert.are.equal(0, core._skinny("ntp", 0, a, b, ref, beta))
          local level = core._skinny("ntp", 2, a, b, packed, beta)
          local bound = c0:abs()
          core._skinny("nt", 0, a:abs(), b:abs(), bound, beta)
          local what = ("ntp level %d m %d n %d k %d beta %d"):format(level, m, n, k, beta)
          close(packed, ref, bound, k + 1, what)
          if level == 2 and m >= 32 then   -- the dense layer's case: the same sums as without packing
            ran_fast = true
            assert.are.equal(2, core._skinny("nt", 2, a, b, plain, beta))
            assert.are.same(plain:totable(), packed:totable(), what)
          end
        end
      end
    end
    local name = core._skinny_level()
    assert.are.equal(name == "avx512", ran_fast)
    H.refused("at most 32 rows", core._skinny, "ntp", 0, matrix(3, 5, 0, 1), matrix(33, 5, 0, 2),
      lunet.zeros(3, 33, "float64"))
    local a, b, c = matrix(3, 5, 0, 1), matrix(4, 5, 0, 2), lunet.zeros(3, 4, "float64")
    assert.has_error(function() core._skinny("ntp", 2, a:to("float32"), b, c) end)
    assert.has_error(function() core._skinny("ntp", 2, a, b, lunet.zeros(4, 3, "float64")) end)
    assert.has_error(function() core._skinny("ntp", 2, a, {}, c) end)
    assert.has_error(function() core._skinny("ntp", 2, a, b, c, 3) end)
    assert.are.equal(name, (core._skinny_level()))   -- refused calls leave the level as it was
  end)

  it("C += A^T B agrees with the reference at odd sizes and strides", function()
    lunet.seed(72)
    for _, level in ipairs(have) do
      for s, size in ipairs(SIZES) do
        local m, n, k = size[1], size[2], size[3]
        local a, b = matrix(m, n, s % 3, s), matrix(m, k, (s + 2) % 5, s + 3)
        local c0 = matrix(n, k, s % 2, s + 7)
        local ref, fast = c0:clone(), c0:clone()
        core._skinny("tn", 0, a, b, ref)
        core._skinny("tn", level, a, b, fast)
        local bound = c0:abs()
        core._skinny("tn", 0, a:abs(), b:abs(), bound)
        close(fast, ref, bound, m + 1, ("tn level %d m %d n %d k %d"):format(level, m, n, k))
      end
    end
  end)

  it("overwrites NaN in C when beta is 0 and propagates infinities like the reference", function()
    for _, level in ipairs(have) do
      local a, b = matrix(5, 9, 0, 1), matrix(3, 9, 0, 2)
      local c = lunet.full(0 / 0, 5, 3, "float64")
      core._skinny("nt", level, a, b, c, 0)
      assert.is_true(c:all_finite())
      local c40 = lunet.full(0 / 0, 40, 3, "float64")   -- the product over B^T, two chunks of A's columns
      core._skinny("nt", level, matrix(40, 200, 0, 3), matrix(3, 200, 0, 4), c40, 0)
      assert.is_true(c40:all_finite())
      a[2][4] = math.huge
      local ref, fast = lunet.zeros(5, 3, "float64"), lunet.zeros(5, 3, "float64")
      core._skinny("nt", 0, a, b, ref, 0)
      core._skinny("nt", level, a, b, fast, 0)
      H.near(fast, ref, 1e-12, "with an infinite input")
    end
  end)

  it("refuses mismatched shapes, a narrow side over 64 and non-float64 input", function()
    local a, b, c = lunet.zeros(3, 5, "float64"), lunet.zeros(4, 5, "float64"), lunet.zeros(3, 4, "float64")
    assert.has_error(function() core._skinny("nt", 0, a, b, lunet.zeros(4, 3, "float64")) end)
    local wide, out = lunet.zeros(65, 5, "float64"), lunet.zeros(3, 65, "float64")
    assert.has_error(function() core._skinny("nt", 0, a, wide, out) end)
    assert.has_error(function() core._skinny("nt", 0, a:to("float32"), b, c) end)
    assert.has_error(function() core._skinny("xx", 0, a, b, c) end)
    assert.has_error(function() core._skinny("nt", 0, a, b, c, 2) end)
    H.refused("beta must be 0 or 1", core._skinny, "nt", 0, a, b, c, 2 ^ 32)   -- not narrowed to 0 first
  end)

  it("gives a wide float64 network the cost and gradient of the BLAS path", function()
    -- 100 inputs, 30 and 10 outputs: the first layer's products take the
    -- skinny kernels where the CPU has AVX-512; level 0 sends them to BLAS.
    lunet.seed(73)
    local net = lunet.Network({ 100, 30, 10 }, { dtype = "float64" })
    local x = lunet.rand(450, 100, "float64")
    local y = lunet.zeros(450)
    for i = 1, 450 do y[i] = (i * 7) % 10 end
    local f, w = lunet.optim.objective(net, { x = x, y = y })
    local name = core._skinny_level()
    local c1, g1 = f(w)
    core._skinny_level(0)
    local ok, c0, g0 = pcall(f, w)
    core._skinny_level(name == "avx512" and 2 or name == "avx2" and 1 or 0)
    assert(ok, c0)
    assert.is_true(math.abs(c1 - c0) <= 1e-12 * math.abs(c0))
    H.near(g1, g0, 1e-10, "gradient, skinny kernels against BLAS")
  end)

  it("keeps the wide network's gradient equal to central differences", function()
    lunet.seed(74)
    local net = lunet.Network({ 70, 5, 3 }, { dtype = "float64" })
    local x = lunet.randn(37, 70, "float64")
    local y = lunet.zeros(37)
    for i = 1, 37 do y[i] = i % 3 end
    local f, w = lunet.optim.objective(net, { x = x, y = y })
    local _, g = f(w:clone())
    local h = 1e-6
    for _, i in ipairs { 1, 2, 69, 70, 71, 140, 349, 350, 351, 356, 372 } do
      local saved = w[i]
      w[i] = saved + h
      local up = f(w:clone())
      w[i] = saved - h
      local down = f(w:clone())
      w[i] = saved
      local num = (up - down) / (2 * h)
      assert(math.abs(num - g[i]) <= 1e-7 * math.max(1, math.abs(num)),
        ("parameter %d: analytic %.12g, numeric %.12g"):format(i, g[i], num))
    end
  end)
end)
