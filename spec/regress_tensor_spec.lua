-- Element-wise operations and reductions over strided views (transposed,
-- narrowed, broadcast), in place and not, float32 and float64, against
-- plain Lua on the same numbers.
local lunet = require "lunet"
local H = require "spec.helpers"

local function sigmoid(v) return 1 / (1 + math.exp(-v)) end
local function sign(v) return v > 0 and 1 or v < 0 and -1 or 0 end

local UNARY = {
  neg = function(v) return -v end, exp = math.exp, abs = math.abs, tanh = function(v)
    local e = math.exp(2 * v)
    return (e - 1) / (e + 1)
  end,
  sigmoid = sigmoid, relu = function(v) return v > 0 and v or 0 end, sign = sign,
}
local POSITIVE = { log = math.log, sqrt = math.sqrt }

local BINARY = {
  add = function(a, b) return a + b end, sub = function(a, b) return a - b end,
  mul = function(a, b) return a * b end, div = function(a, b) return a / b end,
  maximum = math.max, minimum = math.min,
  eq = function(a, b) return a == b and 1 or 0 end, ne = function(a, b) return a ~= b and 1 or 0 end,
  lt = function(a, b) return a < b and 1 or 0 end, le = function(a, b) return a <= b and 1 or 0 end,
  gt = function(a, b) return a > b and 1 or 0 end, ge = function(a, b) return a >= b and 1 or 0 end,
}

-- (r, c) values in quarters, some negative, some repeated.
local function values(r, c, salt)
  local t = {}
  for i = 1, r do
    t[i] = {}
    for j = 1, c do t[i][j] = ((i * 5 + j * 3 + salt) % 9 - 4) / 4 end
  end
  return t
end

-- The (r, c) values as the transpose of a stored (c, r) tensor.
local function transposed(t, dtype)
  return lunet.tensor(H.transpose(t), dtype):t()
end

local function map(t, f) return H.map(t, f) end

local function round(dtype)
  if dtype == "float64" then return function(v) return v end end
  return function(v) return (string.unpack("f", string.pack("f", v))) end
end

describe("element-wise operations over strided views (regression)", function()
  for _, dtype in ipairs { "float64", "float32" } do
    local tol = dtype == "float64" and 1e-14 or 1e-6

    it(dtype .. ": unary operations, out of place and in place on transposed views", function()
      local all = {}
      for k, f in pairs(UNARY) do all[k] = { f, false } end
      for k, f in pairs(POSITIVE) do all[k] = { f, true } end
      for name, e in pairs(all) do
        local base = values(3, 4, 1)
        if e[2] then base = map(base, function(v) return math.abs(v) + 0.5 end) end
        local x = transposed(base, dtype)
        local want = map(base, e[1])
        H.near(x[name](x), want, tol, name)
        H.near(x, base, 0, name .. " leaves its input alone")
        local store = lunet.tensor(H.transpose(base), dtype)
        local v = store:t()
        v[name .. "_"](v)
        H.near(store:t(), want, tol, name .. "_")
        H.near(store, H.transpose(want), tol, name .. "_ writes through the view")
      end
      local base = values(3, 4, 2)
      H.near(transposed(base, dtype):clamp(-0.5, 0.25),
        map(base, function(v) return math.min(math.max(v, -0.5), 0.25) end), tol)
      H.near(transposed(base, dtype):pow(3), map(base, function(v) return v ^ 3 end), tol)
      local store = lunet.tensor(H.transpose(base), dtype)
      store:t():clamp_(-0.25, 0.5)
      H.near(store:t(), map(base, function(v) return math.min(math.max(v, -0.25), 0.5) end), tol)
      store = lunet.tensor(H.transpose(base), dtype)
      store:t():pow_(2)
      H.near(store:t(), map(base, function(v) return v * v end), tol)
    end)

    it(dtype .. ": binary operations on transposed, narrowed and broadcast operands", function()
      for name, f in pairs(BINARY) do
        local a, b = values(3, 4, 3), values(3, 4, 4)
        if name == "div" then b = map(b, function(v) return v == 0 and 0.5 or v end) end
        local x = transposed(a, dtype)
        -- y: the middle (3, 4) block of a (5, 6) tensor
        local bigv = values(5, 6, 9)
        for i = 1, 3 do for j = 1, 4 do bigv[i + 1][j + 1] = b[i][j] end end
        local y = lunet.tensor(bigv, dtype):narrow(1, 2, 3):narrow(2, 2, 4)
        local r = round(dtype)
        local want = H.map2(a, b, function(p, q) return f(r(p), r(q)) end)
        H.near(x[name](x, y), want, tol, name)
        -- broadcast: a row of 4 and a column of 3
        local row = lunet.tensor(b[2], dtype)
        local wr = {}
        for i = 1, 3 do wr[i] = {} for j = 1, 4 do wr[i][j] = f(r(a[i][j]), r(b[2][j])) end end
        H.near(x[name](x, row), wr, tol, name .. " with a row")
        local col = lunet.tensor({ { b[1][1] }, { b[2][2] }, { b[3][3] } }, dtype)
        local wc = {}
        for i = 1, 3 do wc[i] = {} for j = 1, 4 do wc[i][j] = f(r(a[i][j]), r(b[i][i])) end end
        H.near(x[name](x, col), wc, tol, name .. " with a column")
        -- in place, through a transposed view
        local store = lunet.tensor(H.transpose(a), dtype)
        local v = store:t()
        v[name .. "_"](v, y)
        H.near(store:t(), want, tol, name .. "_")
      end
      -- numbers as operands
      local a = values(3, 4, 5)
      local x = transposed(a, dtype)
      H.near(x:add(2), map(a, function(v) return v + 2 end), tol)
      H.near(x:sub(0.5), map(a, function(v) return v - 0.5 end), tol)
      H.near(x:mul(-3), map(a, function(v) return -3 * v end), tol)
      H.near(x:div(4), map(a, function(v) return v / 4 end), tol)
      H.near(x:gt(0), map(a, function(v) return v > 0 and 1 or 0 end), 0)
      H.near(x - 1, map(a, function(v) return v - 1 end), tol)
      H.near(x * x, map(a, function(v) return v * v end), tol)
      H.near(x / 2, map(a, function(v) return v / 2 end), tol)
      H.near(-x, map(a, function(v) return -v end), tol)
    end)

    it(dtype .. ": reductions over all, rows and columns of transposed and narrowed views", function()
      local base = values(4, 5, 6)
      base[2][3], base[3][1] = 2, -2       -- a unique largest and smallest
      local views = {
        { transposed(base, dtype), base },
        { lunet.tensor(values(6, 7, 6), dtype):narrow(1, 2, 4):narrow(2, 3, 5), nil },
      }
      local big = values(6, 7, 6)
      local block = {}
      for i = 1, 4 do block[i] = {} for j = 1, 5 do block[i][j] = big[i + 1][j + 2] end end
      views[2][2] = block
      for vi, pair in ipairs(views) do
        local x, t = pair[1], pair[2]
        local r, c = #t, #t[1]
        local flat = H.flat(t)
        local s, sq, mx, mn, amx, amn = 0, 0, -math.huge, math.huge, 0, 0
        for i, v in ipairs(flat) do
          s, sq = s + v, sq + v * v
          if v > mx then mx, amx = v, i end
          if v < mn then mn, amn = v, i end
        end
        local mean = s / #flat
        local var = 0
        for _, v in ipairs(flat) do var = var + (v - mean) ^ 2 end
        var = var / #flat
        local what = dtype .. " view " .. vi
        H.near(x:sum(), s, tol * 10, what)
        H.near(x:mean(), mean, tol, what)
        H.near(x:norm(), math.sqrt(sq), tol, what)
        for _, pw in ipairs { 1, 3, 0.5 } do
          local acc = 0
          for _, v in ipairs(flat) do acc = acc + math.abs(v) ^ pw end
          H.near(x:norm(pw), acc ^ (1 / pw), tol * 10, what .. " norm " .. pw)
          local rows = {}
          for i = 1, r do
            local ra = 0
            for j = 1, c do ra = ra + math.abs(t[i][j]) ^ pw end
            rows[i] = ra ^ (1 / pw)
          end
          H.near(x:norm(pw, 2), rows, tol * 10, what .. " norm " .. pw .. " along 2")
        end
        H.near(x:var(), var, tol * 10, what)
        H.near(x:std(), math.sqrt(var), tol * 10, what)
        assert.are.equal(mx, x:max(), what)
        assert.are.equal(mn, x:min(), what)
        assert.are.equal(amx, x:argmax(), what)
        assert.are.equal(amn, x:argmin(), what)
        -- along each dimension
        for dim = 1, 2 do
          local n = dim == 1 and c or r
          local sums, means, maxs, mins, amaxs, vars = {}, {}, {}, {}, {}, {}
          for k = 1, n do
            local list = {}
            if dim == 1 then for i = 1, r do list[i] = t[i][k] end else for j = 1, c do list[j] = t[k][j] end end
            local ss, m1, m2, a1 = 0, -math.huge, math.huge, 0
            for i, v in ipairs(list) do
              ss = ss + v
              if v > m1 then m1, a1 = v, i end
              m2 = math.min(m2, v)
            end
            local vv = 0
            for _, v in ipairs(list) do vv = vv + (v - ss / #list) ^ 2 end
            sums[k], means[k], maxs[k], mins[k], amaxs[k], vars[k] = ss, ss / #list, m1, m2, a1, vv / #list
          end
          H.near(x:sum(dim), sums, tol * 10, what .. " sum " .. dim)
          H.near(x:mean(dim), means, tol, what .. " mean " .. dim)
          H.near(x:var(dim), vars, tol * 10, what .. " var " .. dim)
          local m = dim == 1 and r or c   -- values per reduced line
          H.near(x:var(dim, 1), H.map(vars, function(v) return v * m / (m - 1) end), tol * 10, what .. " ddof 1")
          H.near(x:std(dim, 1), H.map(vars, function(v) return math.sqrt(v * m / (m - 1)) end), tol * 10,
            what .. " std ddof 1")
          local mv, mi = x:max(dim)
          H.near(mv, maxs, 0, what .. " max " .. dim)
          assert.are.same(amaxs, mi:totable(), what .. " max index " .. dim)
          H.near(x:min(dim), mins, 0, what .. " min " .. dim)
          assert.are.same(amaxs, x:argmax(dim):totable(), what .. " argmax " .. dim)
        end
      end
    end)
  end
end)

describe("in-place fills (regression)", function()
  it("fill_, fill and zero_ return the tensor itself and write through views", function()
    local store = lunet.tensor({ { 1, 2, 3 }, { 4, 5, 6 } }, "float64")
    local col = store:narrow(2, 2, 1)
    assert.are.equal(col, col:fill_(7))
    assert.are.same({ { 1, 7, 3 }, { 4, 7, 6 } }, store:totable())
    local row = store:select(1, 2)
    assert.are.equal(row, row:zero_())
    assert.are.same({ { 1, 7, 3 }, { 0, 0, 0 } }, store:totable())
    local tt = store:t()
    assert.are.equal(tt, tt:fill(-1))
    assert.are.same({ { -1, -1, -1 }, { -1, -1, -1 } }, store:totable())
  end)
end)

describe("in-place operations and broadcasting (regression)", function()
  it("refuse a broadcast result larger than the tensor written", function()
    for _, op in ipairs { "add_", "sub_", "mul_", "div_", "maximum_", "lt_" } do
      local x = lunet.zeros(3, 1)
      assert.matches("the operands broadcast to shape 3x4, which does not fit the result's shape 3x1",
        H.err(x[op], x, lunet.ones(1, 4)), op)
      assert.are.same({ { 0 }, { 0 }, { 0 } }, x:totable())
      local y = lunet.zeros(2, 3)
      assert.are.equal(y, y[op](y, lunet.ones(3)))   -- a smaller operand is fine
    end
  end)
end)
