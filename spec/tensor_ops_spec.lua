local lunet = require "lunet"
local H = require "spec.helpers"

local function sigmoid(z) return 1 / (1 + math.exp(-z)) end
local function sign(v) return v > 0 and 1 or v < 0 and -1 or 0 end

local unary_refs = {
  neg = function(v) return -v end,
  exp = math.exp,
  abs = math.abs,
  tanh = function(v) return (math.exp(v) - math.exp(-v)) / (math.exp(v) + math.exp(-v)) end,
  sigmoid = sigmoid,
  relu = function(v) return math.max(v, 0) end,
  sign = sign,
}

local binary_refs = {
  add = function(a, b) return a + b end,
  sub = function(a, b) return a - b end,
  mul = function(a, b) return a * b end,
  div = function(a, b) return a / b end,
  maximum = math.max,
  minimum = math.min,
  eq = function(a, b) return a == b and 1 or 0 end,
  ne = function(a, b) return a ~= b and 1 or 0 end,
  lt = function(a, b) return a < b and 1 or 0 end,
  le = function(a, b) return a <= b and 1 or 0 end,
  gt = function(a, b) return a > b and 1 or 0 end,
  ge = function(a, b) return a >= b and 1 or 0 end,
}

describe("element-wise operations", function()
  for _, dtype in ipairs { "float32", "float64" } do
    local tol = dtype == "float32" and 1e-6 or 1e-14
    lunet.seed(7)
    local x = lunet.randn({ 3, 4 }, { dtype = dtype })
    local y = lunet.randn({ 3, 4 }, { dtype = dtype })
    y[{ 2, 2 }] = x[{ 2, 2 }]     -- so eq/le/ge see an equal pair

    for name, ref in pairs(unary_refs) do
      it(name .. " matches a Lua reference (" .. dtype .. ")", function()
        H.near(x[name](x), H.map(x:totable(), ref), tol, name)
        local c = x:clone()
        assert.are.equal(c, c[name .. "_"](c))
        H.near(c, H.map(x:totable(), ref), tol, name .. "_")
      end)
    end

    it("log and sqrt match on positive values (" .. dtype .. ")", function()
      local p = x:abs():add(0.1)
      H.near(p:log(), H.map(p:totable(), math.log), tol)
      H.near(p:sqrt(), H.map(p:totable(), math.sqrt), tol)
      H.near(p:pow(1.5), H.map(p:totable(), function(v) return v ^ 1.5 end), tol * 10)
      H.near(p ^ 2, H.map(p:totable(), function(v) return v * v end), tol)
    end)

    for name, ref in pairs(binary_refs) do
      it(name .. " matches a Lua reference, also in place (" .. dtype .. ")", function()
        H.near(x[name](x, y), H.map2(x:totable(), y:totable(), ref), tol, name)
        local c = x:clone()
        c[name .. "_"](c, y)
        H.near(c, H.map2(x:totable(), y:totable(), ref), tol, name .. "_")
      end)
    end

    it("clamp bounds values (" .. dtype .. ")", function()
      H.near(x:clamp(-0.5, 0.5), H.map(x:totable(), function(v) return math.min(0.5, math.max(-0.5, v)) end), tol)
      assert.matches("greater than max", H.err(function() return x:clamp(1, 0) end))
    end)
  end

  it("operators take numbers on either side", function()
    local t = lunet.tensor({ 1, 2, 4 }, "float64")
    assert.are.same({ 3, 4, 6 }, (t + 2):totable())
    assert.are.same({ 3, 4, 6 }, (2 + t):totable())
    assert.are.same({ 1, 0, -2 }, (2 - t):totable())
    assert.are.same({ 2, 4, 8 }, (2 * t):totable())
    assert.are.same({ 0.5, 1, 2 }, (t / 2):totable())
    assert.are.same({ 4, 2, 1 }, (4 / t):totable())
    assert.are.same({ -1, -2, -4 }, (-t):totable())
    assert.are.same({ 1, 4, 16 }, (t ^ 2):totable())
    assert.are.same({ 0, 1, 1 }, t:gt(1):totable())
  end)

  it("broadcasts a row or a column over a matrix", function()
    local m = lunet.arange(6, "float64"):view(2, 3)
    local row = lunet.tensor({ 10, 20, 30 }, "float64")
    local col = lunet.tensor({ { 100 }, { 200 } }, "float64")
    assert.are.same({ { 10, 21, 32 }, { 13, 24, 35 } }, (m + row):totable())
    assert.are.same({ { 100, 101, 102 }, { 203, 204, 205 } }, (m + col):totable())
    assert.are.same({ { 110, 120, 130 }, { 210, 220, 230 } }, (col + row):totable())
    m:mul_(row)
    assert.are.same({ { 0, 20, 60 }, { 30, 80, 150 } }, m:totable())
    assert.matches("cannot be broadcast", H.err(function() return m + lunet.zeros(4, "float64") end))
    assert.matches("add_: the operands broadcast to shape 2x3, which does not fit the result's shape 3",
      H.err(function() return row:add_(m) end))
  end)

  it("works on non-contiguous views", function()
    local m = lunet.arange(12, "float64"):view(3, 4)
    local t = m:t()
    H.near(t:exp(), H.map(t:totable(), math.exp), 1e-14)
    local narrow = m:narrow(2, 2, 2)
    narrow:fill(-1)
    assert.are.same({ { 0, -1, -1, 3 }, { 4, -1, -1, 7 }, { 8, -1, -1, 11 } }, m:totable())
  end)

  it("refuses mixed dtypes and wrong operand types", function()
    local a, b = lunet.zeros(2), lunet.zeros(2, "float64")
    assert.matches("dtype mismatch: float32 and float64", H.err(function() return a + b end))
    assert.matches("tensor or number expected", H.err(function() return a + "x" end))
    assert.matches("tensor or number expected", H.err(function() return a:add({}) end))
  end)
end)

describe("reductions", function()
  local t = lunet.tensor({ { 1, -2, 3 }, { 4, 5, -6 } }, "float64")

  it("sum, mean over everything and along a dimension", function()
    assert.are.equal(5, t:sum())
    assert.are.equal(5 / 6, t:mean())
    assert.are.same({ 5, 3, -3 }, t:sum(1):totable())
    assert.are.same({ 2, 3 }, t:sum(2):totable())
    assert.are.same({ 2 / 3, 1 }, t:mean(2):totable())
  end)

  it("max and min give values and 1-based positions", function()
    local v, i = t:max()
    assert.are.same({ 5, 5 }, { v, i })
    v, i = t:min()
    assert.are.same({ -6, 6 }, { v, i })
    local vals, idx = t:max(2)
    assert.are.same({ 3, 5 }, vals:totable())
    assert.are.same({ 3, 2 }, idx:totable())
    assert.are.same({ 2, 2, 1 }, t:argmax(1):totable())
    assert.are.equal(6, t:argmin())
    assert.matches("empty", H.err(function() return lunet.zeros(0):max() end))
  end)

  it("norm, var and std", function()
    H.near(t:norm(), math.sqrt(1 + 4 + 9 + 16 + 25 + 36), 1e-14)
    assert.are.equal(21, t:norm(1))
    H.near(t:norm(3), (1 + 8 + 27 + 64 + 125 + 216) ^ (1 / 3), 1e-14)
    H.near(t:norm(2, 2), { math.sqrt(14), math.sqrt(77) }, 1e-14)
    local mean = 5 / 6
    local ss = 0
    for _, v in ipairs { 1, -2, 3, 4, 5, -6 } do ss = ss + (v - mean) ^ 2 end
    H.near(t:var(), ss / 6, 1e-14)
    H.near(t:var(nil, 1), ss / 5, 1e-14)
    H.near(t:std(), math.sqrt(ss / 6), 1e-14)
    H.near(t:var(1), { 2.25, 12.25, 20.25 }, 1e-14)
    assert.matches("too few", H.err(function() return lunet.zeros(1):var(nil, 1) end))
  end)

  it("reduce non-contiguous views", function()
    local tt = t:t()
    assert.are.same({ 2, 3 }, tt:sum(1):totable())
    assert.are.same({ 5, 3, -3 }, tt:sum(2):totable())
  end)

  it("sums float32 in double precision", function()
    local ones = lunet.ones(2 ^ 25)  -- float32 accumulation would stall at 2^24
    assert.are.equal(2 ^ 25, ones:sum())
  end)

  it("one_hot puts a 1 in the column each label names", function()
    local hot = lunet.one_hot(lunet.tensor { 2, 0, 1, 2 }, 3)
    assert.are.same({ { 0, 0, 1 }, { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, hot:totable())
    assert.are.equal("float64", lunet.one_hot(lunet.tensor { 0 }, 2, "float64"):dtype())
    assert.has_error(function() lunet.one_hot(lunet.tensor { 0, 3 }, 3) end,
      "one_hot: label 3 at position 2 is not a class 0..2")
    assert.has_error(function() lunet.one_hot(lunet.tensor { 0.5 }, 3) end,
      "one_hot: label 0.5 at position 1 is not a class 0..2")
    assert.has_error(function() lunet.one_hot(lunet.tensor { 0 }, 2.5) end)
    assert.has_error(function() lunet.one_hot(lunet.zeros(2, 2), 2) end)
  end)

  it("detects NaN and infinity", function()
    assert.is_true(t:all_finite())
    local c = t:clone()
    c[{ 1, 1 }] = 0 / 0
    assert.is_false(c:all_finite())
    c[{ 1, 1 }] = math.huge
    assert.is_false(c:all_finite())
  end)
end)
