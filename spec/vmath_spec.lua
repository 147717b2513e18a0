-- csrc/vmath.c: the vectorised exp and sigmoid against libm's (their
-- reference loops beside them), in float32 and float64, measured in ulp
-- over a sweep of the whole range, the edges (infinities, NaN, overflow,
-- underflow, denormal results), and every length of tail.
local lunet = require "lunet"
local core = require "lunet.core"

-- position of v among the values of the dtype, so that b - a counts the
-- representable values between a and b (ulp)
local function order(v, dtype)
  local f, i, mask = "<f", "<i4", 0x7fffffff
  if dtype == "float64" then f, i, mask = "<d", "<i8", math.maxinteger end
  local bits = string.unpack(i, string.pack(f, v))
  return bits >= 0 and bits or -(bits & mask)
end

local function ulps(a, b, dtype)
  if a ~= a or b ~= b then return (a ~= a and b ~= b) and 0 or math.huge end
  if a == b then return 0 end
  if a == math.huge or b == math.huge or a == -math.huge or b == -math.huge then return math.huge end
  return math.abs(order(a, dtype) - order(b, dtype))
end

-- the largest ulp distance of fn's vector path from libm over xs, and where
local function worst(fn, xs, dtype)
  local x = lunet.tensor(xs, dtype)
  local fast, ref = core._vmath(fn, x, false), core._vmath(fn, x, true)
  local top, at = 0, nil
  for i = 1, #xs do
    local d = ulps(fast[i], ref[i], dtype)
    if d > top then top, at = d, x[i] end
  end
  return top, at
end

local function sweep(lo, hi, n)
  local xs = {}
  for i = 0, n - 1 do xs[#xs + 1] = lo + (hi - lo) * i / (n - 1) end
  return xs
end

local ranges = {
  float32 = { lo = -110, hi = 95, denormal = { -103.9, -87.4 }, overflow = 88.73 },
  float64 = { lo = -750, hi = 715, denormal = { -745.1, -708.5 }, overflow = 709.79 },
}

describe("vmath: exp and sigmoid over arrays", function()
  for _, dtype in ipairs { "float32", "float64" } do
    local r = ranges[dtype]

    it(dtype .. " exp is within 2 ulp of libm over its whole range and small arguments", function()
      lunet.seed(7)
      local xs = sweep(r.lo, r.hi, 60001)
      local u = lunet.rand(20000, "float64")
      for i = 1, 20000 do xs[#xs + 1] = (u[i] - 0.5) * 2 ^ -(i % 60) end   -- tiny |x|, both signs
      for _, v in ipairs { 0, -0.0, 1, -1, 0.5, math.log(2), -math.log(2) } do xs[#xs + 1] = v end
      local top, at = worst("exp", xs, dtype)
      assert.is_true(top <= 2, ("%s exp: %g ulp from libm at x = %.17g"):format(dtype, top, at or 0))
    end)

    it(dtype .. " exp rounds denormal results as libm does, within 2 ulp", function()
      local top, at = worst("exp", sweep(r.denormal[1], r.denormal[2], 20001), dtype)
      assert.is_true(top <= 2, ("%s exp: %g ulp (denormal) at x = %.17g"):format(dtype, top, at or 0))
    end)

    it(dtype .. " exp and sigmoid at the edges: infinities, NaN, overflow, underflow", function()
      local inf, nan = math.huge, 0 / 0
      local xs = { inf, -inf, nan, r.overflow, r.overflow + 1, 1e300 * (dtype == "float64" and 1 or 0), r.lo, -1e30 }
      local e = core._vmath("exp", lunet.tensor(xs, dtype))
      assert.equal(inf, e[1])
      assert.equal(0, e[2])
      assert.is_true(e[3] ~= e[3], "exp(NaN) is NaN")
      assert.equal(inf, e[4])
      assert.equal(inf, e[5])
      assert.equal(0, e[7])
      assert.equal(0, e[8])
      local s = core._vmath("sigmoid", lunet.tensor(xs, dtype))
      assert.equal(1, s[1])
      assert.equal(0, s[2])
      assert.is_true(s[3] ~= s[3], "sigmoid(NaN) is NaN")
      assert.equal(0, s[7])
      assert.equal(0, s[8])
      local neg = core._vmath("sigmoid", lunet.tensor({ -r.overflow - 1, r.overflow + 1 }, dtype))
      assert.equal(0, neg[1])
      assert.equal(1, neg[2])
    end)

    -- float32 against the value computed in double and rounded (the float
    -- libm form is itself 2 ulp off); below -87 exp(-x) overflows a float,
    -- so both forms give 0 there (the edges above)
    it(dtype .. " sigmoid is within 2 ulp of the exact value (float32) or of the libm form (float64)", function()
      for _, span in ipairs { { dtype == "float32" and -87 or r.lo, r.hi, 60001 }, { -20, 20, 40001 } } do
        local x = lunet.tensor(sweep(span[1], span[2], span[3]), dtype)
        local fast, ref = core._vmath("sigmoid", x), core._vmath("sigmoid", x, true)
        for i = 1, span[3] do
          local want = ref[i]
          if dtype == "float32" then want = string.unpack("<f", string.pack("<f", 1 / (1 + math.exp(-x[i])))) end
          local d = ulps(fast[i], want, dtype)
          if d > 2 then error(("%s sigmoid: %g ulp at x = %.17g"):format(dtype, d, x[i])) end
        end
      end
    end)

    it(dtype .. " every tail length gives what the reference gives element by element", function()
      lunet.seed(11)
      for n = 1, 19 do
        local x = lunet.randn(n, dtype) * 10
        for _, fn in ipairs { "exp", "sigmoid" } do
          local fast, ref = core._vmath(fn, x), core._vmath(fn, x, true)
          for i = 1, n do
            assert.is_true(ulps(fast[i], ref[i], dtype) <= 2, ("%s %s n = %d, element %d"):format(dtype, fn, n, i))
          end
        end
      end
    end)
  end

  it("float64 log is within 1 ulp of libm's over the whole range, exact at the edges and in place", function()
    local xs = {}
    for e = -1022, 1023, 3 do
      for _, m in ipairs { 1, 1.0000001, 1.25, 1.41421356, 1.41421357, 1.5, 1.9999999 } do xs[#xs + 1] = m * 2.0 ^ e end
    end
    for _, v in ipairs(sweep(0.5, 2, 30001)) do xs[#xs + 1] = v end          -- near 1: log's hardest part
    for _, v in ipairs(sweep(1e-6, 1 - 1e-6, 20001)) do xs[#xs + 1] = v end   -- sigmoid outputs, as the cost takes them
    local top, at = worst("log", xs, "float64")
    assert.is_true(top <= 1, ("log: %g ulp from libm at x = %.17g"):format(top, at or 0))
    local edges = { 0, -0.0, -1, -math.huge, math.huge, 0 / 0, 4.9e-324, 2.2250738585072009e-308, 1, 2, 0.5 }
    local x = lunet.tensor(edges, "float64")
    local fast, ref = core._vmath("log", x), core._vmath("log", x, true)
    for i = 1, #edges do
      local f, r = fast[i], ref[i]
      assert.is_true(f == r or (f ~= f and r ~= r), ("log(%.17g): %.17g vs libm %.17g"):format(edges[i], f, r))
    end
    assert.are.equal(0, fast[9])
    for n = 1, 19 do   -- every tail length, one bad lane among them
      local t = lunet.rand(n, "float64"):add_(0.01)
      if n > 3 then t[3] = 0 end
      local want = core._vmath("log", t, true)
      local got = core._vmath("log", t)
      for i = 1, n do assert.is_true(ulps(got[i], want[i], "float64") <= 1, ("n %d element %d"):format(n, i)) end
    end
    assert.has_error(function() core._vmath("log", lunet.ones(3, "float32")) end)
  end)

  it("gives the same results bit for bit at every level it has (AVX2, AVX-512)", function()
    local top = core._vmath_level()
    local ok, err = pcall(function()
      for _, dtype in ipairs { "float32", "float64" } do
        local r = ranges[dtype]
        local xs = sweep(r.lo, r.hi, 30001)
        for _, v in ipairs { 0 / 0, math.huge, -math.huge, 0, -0.0, r.overflow, r.overflow + 1 } do xs[#xs + 1] = v end
        for _, n in ipairs { #xs, 1, 7, 9, 15, 17 } do   -- every tail of both lane counts
          local x = lunet.tensor({ table.unpack(xs, 1, n) }, dtype)
          local fns = dtype == "float64" and { "exp", "sigmoid", "log" } or { "exp", "sigmoid" }
          for _, fn in ipairs(fns) do
            local want
            for level = 1, top do
              assert.are.equal(level, core._vmath_level(level))
              local got = core._vmath(fn, x):totable()
              for i = 1, n do
                if got[i] ~= got[i] then got[i] = "nan" end   -- NaN compares unequal to itself
              end
              if want then assert.are.same(want, got, ("%s %s n %d level %d"):format(dtype, fn, n, level)) end
              want = got
            end
          end
        end
      end
    end)
    core._vmath_level(top)
    assert(ok, err)
    assert.are.equal(top, core._vmath_level())
  end)

  it("refuses what the level and log hooks cannot take, and caps a level at the CPU's", function()
    local top = core._vmath_level()
    for _, bad in ipairs { "x", {}, 1.5, 2 ^ 40 } do
      assert.has_error(function() core._vmath_level(bad) end)
      assert.are.equal(top, core._vmath_level())   -- a refused call changes nothing
    end
    assert.are.equal(0, core._vmath_level(-5))
    assert.are.equal(top, core._vmath_level(99))
    assert.has_error(function() core._vmath("log", {}) end)
    assert.has_error(function() core._vmath("log", lunet.ones(3, 2, "float64"):t()) end)   -- not contiguous
    assert.has_error(function() core._vmath("cos", lunet.ones(3, "float64")) end)
  end)

  it("says whether the vector path runs (AVX2 and FMA) and is exact at 0 either way", function()
    assert.is_boolean(core._vmath_vectorised())
    assert.equal(1, core._vmath("exp", lunet.tensor({ 0 }, "float32"))[1])
    assert.equal(0.5, core._vmath("sigmoid", lunet.tensor({ 0 }, "float64"))[1])
  end)
end)
