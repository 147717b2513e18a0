-- Hostile input to the tensor API: arguments whose metamethods close or
-- drop tensors while they are read, aliasing in-place operations checked
-- against separate tensors, sizes and dimensions that do not fit, closed
-- tensors and wrong types. Each case ends in a clean error (matched) or in
-- the right numbers. Run under ASan by `make asan`.
local lunet = require "lunet"
local H = require "spec.helpers"

local function grid(r, c)
  return lunet.arange(r * c, "float64"):view(r, c)
end

-- A random float64 matrix (fixed seed), so aliasing errors cannot hide in
-- symmetric values.
local function random(r, c)
  lunet.seed(r * 100 + c)
  return lunet.randn(r, c, "float64")
end

-- A table whose every read (__index, __len) first runs `hook`.
local function trap(values, hook)
  return setmetatable({}, {
    __index = function(_, k)
      hook()
      return values[k]
    end,
    __len = function()
      hook()
      return #values
    end,
  })
end

describe("arguments read before storage is touched", function()
  it("t[key]: the key's __index closes t and collects: an error, no use after free", function()
    local t = grid(100, 100)
    local key = trap({ 2, 3 }, function()
      if t then t:close() end
      collectgarbage()
    end)
    assert.matches("closed", H.err(function() return t[key] end))
  end)

  it("t[key]: the key's __len closes t: an error", function()
    local t = grid(4, 4)
    local key = setmetatable({}, { __len = function() t:close(); collectgarbage(); return 1 end,
                                   __index = function() return 1 end })
    assert.matches("closed", H.err(function() return t[key] end))
  end)

  it("t[key] giving a view: the key closes t: an error", function()
    local t = grid(4, 4)
    local key = trap({ 2 }, function() t:close(); collectgarbage() end)
    assert.matches("closed", H.err(function() return t[key] end))
  end)

  it("t[key]: the key closes and drops t's parent: the view keeps its memory", function()
    local base = grid(6, 6)
    local t = base:narrow(1, 2, 4)
    local key = trap({ 3, 4 }, function()
      if base then base:close(); base = nil end
      collectgarbage()
    end)
    assert.equal(21, t[key])            -- row 3 of t is row 4 of base: 3 * 6 + 3
    local row = t[trap({ 2 }, collectgarbage)]
    assert.same({ 12, 13, 14, 15, 16, 17 }, row:totable())
  end)

  it("t[key] = number: the key closes t: an error", function()
    local t = grid(3, 3)
    local key = trap({ 1, 1 }, function() t:close(); collectgarbage() end)
    assert.matches("closed", H.err(function() t[key] = 5 end))
  end)

  it("t[key] = tensor: the key closes the source: an error", function()
    local t, src = grid(3, 3), lunet.ones(3, "float64")
    local key = trap({ 2 }, function() src:close(); collectgarbage() end)
    assert.matches("closed", H.err(function() t[key] = src end))
    assert.same({ 3, 4, 5 }, t[2]:totable())
  end)

  it("t[key] = number: the key drops t's parent: the write lands in the view", function()
    local base = grid(4, 4)
    local t = base:t()
    local key = trap({ 1, 2 }, function()
      if base then base:close(); base = nil end
      collectgarbage()
    end)
    t[key] = 99
    assert.equal(99, t[1][2])
    assert.equal(99, t:contiguous()[{ 1, 2 }])
  end)

  it("gemm: the options close A: an error", function()
    local a, b, c = lunet.ones(4, 4), lunet.ones(4, 4), lunet.zeros(4, 4)
    local opts = trap({}, function() a:close(); collectgarbage() end)
    assert.matches("closed", H.err(lunet.gemm, a, b, c, opts))
  end)

  it("gemm: the options close C: an error", function()
    local a, b, c = lunet.ones(4, 4), lunet.ones(4, 4), lunet.zeros(4, 4)
    local opts = trap({ alpha = 2 }, function() c:close(); collectgarbage() end)
    assert.matches("closed", H.err(lunet.gemm, a, b, c, opts))
  end)

  it("gemm: the options close B and drop it: an error", function()
    local a, c = lunet.ones(4, 4), lunet.zeros(4, 4)
    local b = lunet.ones(4, 4)
    local opts = trap({ beta = 1 }, function()
      if b then b:close() end
      collectgarbage()
    end)
    assert.matches("closed", H.err(lunet.gemm, a, b, c, opts))
  end)

  it("gemm: the options drop A's parent: the product is still right", function()
    local base = random(5, 5)
    local a = base:narrow(1, 1, 3)                 -- (3, 5)
    local expect = lunet.matmul(a, random(5, 2)) * 2
    local c = lunet.zeros(3, 2, "float64")
    local opts = trap({ alpha = 2 }, function()
      if base then base:close(); base = nil end
      collectgarbage()
    end)
    lunet.gemm(a, random(5, 2), c, opts)
    assert.is_true(H.maxdiff(c:totable(), expect:totable()) < 1e-12)
  end)

  for _, name in ipairs { "view", "reshape", "expand" } do
    it(name .. ": a shape table that closes the tensor: an error", function()
      local t = lunet.ones(1, 4)
      local shape = trap({ 1, 4 }, function() t:close(); collectgarbage() end)
      assert.matches("closed", H.err(function() return t[name](t, shape) end))
    end)
  end

  it("permute: a dimension table that closes the tensor: an error", function()
    local t = lunet.ones(2, 3)
    local dims = trap({ 2, 1 }, function() t:close(); collectgarbage() end)
    assert.matches("closed", H.err(function() return t:permute(dims) end))
  end)

  it("view: a shape table with __len and __index works as a plain one", function()
    local t = grid(2, 6)
    local v = t:view(trap({ 3, 4 }, collectgarbage))
    assert.same({ 3, 4 }, v:shape())
    assert.equal(11, v[{ 3, 4 }])
  end)

  it("zeros and tensor: tables with metamethods give the right tensor", function()
    assert.same({ 2, 3 }, lunet.zeros(trap({ 2, 3 }, collectgarbage)):shape())
    local rows = { trap({ 1, 2 }, collectgarbage), trap({ 3, 4 }, collectgarbage) }
    assert.same({ { 1, 2 }, { 3, 4 } }, lunet.tensor(trap(rows, collectgarbage), "float64"):totable())
  end)

  it("rand: an option table that runs the collector still gives values in range", function()
    local t = lunet.rand(100, trap({ min = 2, max = 3 }, collectgarbage))
    assert.is_true(t:min() >= 2 and t:max() <= 3)
  end)

  it("finalisers that close operands while results are allocated: a result or an error", function()
    local n = 1 << 17
    for _ = 1, 40 do
      local a = lunet.ones(n)
      setmetatable({}, { __gc = function() a:close() end })
      for _, f in ipairs {
        function() return a + 1 end, function() return a:exp() end, function() return a:sum(1) end,
        function() return a:clone() end, function() return a:view(n / 2, 2):t():contiguous() end,
        function() return a:narrow(1, 1, 4):totable() end, function() return lunet.outer(a:narrow(1, 1, 300), a) end,
      } do
        local ok, r = pcall(f)
        if ok then
          assert.is_true(type(r) == "table" or r:numel() > 0)
        else
          assert.matches("closed", tostring(r))
        end
      end
    end
  end)
end)

describe("aliasing gives the numbers of separate tensors", function()
  it("a:add_(a:t()) equals a + a:t() computed apart", function()
    local a = random(7, 7)
    local expect = a:clone() + a:clone():t()
    a:add_(a:t())
    assert.equal(0, H.maxdiff(a:totable(), expect:totable()))
  end)

  it("a:copy(a:t()) transposes in place", function()
    local a = random(6, 6)
    local expect = a:t():clone()
    a:copy(a:t())
    assert.same(expect:totable(), a:totable())
  end)

  it("a:sub_(a[1]): the first row broadcast over every row, read before it is changed", function()
    local a = random(4, 5)
    local expect = a:clone() - a[1]:clone()
    a:sub_(a[1])
    assert.same(expect:totable(), a:totable())
    assert.same({ 0, 0, 0, 0, 0 }, a[1]:totable())
  end)

  it("a:mul_(a), same layout, squares every element", function()
    local a = random(3, 3)
    local expect = a:clone():pow(2)
    a:mul_(a)
    assert.is_true(H.maxdiff(a:totable(), expect:totable()) < 1e-15)
  end)

  it("maximum_ and div_ against the transpose", function()
    for _, op in ipairs { "maximum", "div" } do
      local a = random(5, 5)
      local expect = a:clone()[op](a:clone(), a:clone():t())
      a[op .. "_"](a, a:t())
      assert.same(expect:totable(), a:totable())
    end
  end)

  it("an overlapping shifted copy moves like memmove", function()
    local v = lunet.arange(10, "float64")
    v:narrow(1, 2, 9):copy(v:narrow(1, 1, 9))
    assert.same({ 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 }, v:totable())
    local w = lunet.arange(10, "float64")
    w:narrow(1, 1, 9):copy(w:narrow(1, 2, 9))
    assert.same({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 9 }, w:totable())
  end)

  it("a reshaped view copied into its own storage", function()
    local a = grid(2, 6)
    local expect = grid(2, 6):view(6, 2):t():clone()   -- (2, 6)
    a:copy(a:view(6, 2):t())
    assert.same(expect:totable(), a:totable())
  end)

  it("t[1] = column 1 of t: the column is read before row 1 is written", function()
    local t = grid(3, 3)
    t[1] = t:select(2, 1)
    assert.same({ { 0, 3, 6 }, { 3, 4, 5 }, { 6, 7, 8 } }, t:totable())
  end)

  it("gemm(A, A, A) gives A times its old self", function()
    local a = random(4, 4)
    local expect = lunet.matmul(a:clone(), a:clone())
    lunet.gemm(a, a, a)
    assert.is_true(H.maxdiff(a:totable(), expect:totable()) < 1e-12)
  end)

  it("gemm(A, B, A, {beta = 1}) adds the old A", function()
    local a, b = random(3, 3), random(3, 3):mul(0.5)
    local expect = lunet.matmul(a:clone(), b) + a:clone()
    lunet.gemm(a, b, a, { beta = 1 })
    assert.is_true(H.maxdiff(a:totable(), expect:totable()) < 1e-12)
  end)

  it("gemm into C = A:t() (a column-major C over A's memory)", function()
    local a = random(3, 3)
    local expect = lunet.matmul(a:clone(), a:clone())
    lunet.gemm(a, a, a:t())
    assert.is_true(H.maxdiff(a:t():totable(), expect:totable()) < 1e-12)
  end)

  it("gemm with transA over the same memory as C", function()
    local a = random(4, 4)
    local expect = lunet.matmul(a:clone():t(), a:clone())
    lunet.gemm(a, a, a, { transA = true })
    assert.is_true(H.maxdiff(a:totable(), expect:totable()) < 1e-12)
  end)

  it("gemm with C in the same storage as A but apart from it: A is left alone", function()
    local big = random(6, 3)
    local a, c = big:narrow(1, 1, 3), big:narrow(1, 4, 3)
    local before = a:clone()
    local expect = lunet.matmul(before, random(3, 3))
    lunet.gemm(a, random(3, 3), c)
    assert.same(before:totable(), a:totable())
    assert.is_true(H.maxdiff(c:totable(), expect:totable()) < 1e-12)
  end)

  it("matmul and outer results never alias their inputs", function()
    local a = random(3, 3)
    local p = lunet.matmul(a, a)
    assert.is_false(p:shares_storage(a))
    assert.is_true(H.maxdiff(p:totable(), lunet.matmul(a:clone(), a:clone()):totable()) < 1e-12)
  end)

  it("writing into an expanded view is an error, reading it is fine", function()
    local x = lunet.ones(1, 4)
    local e = x:expand(3, 4)
    assert.matches("expanded view", H.err(function() return e:add_(1) end))
    assert.matches("expanded view", H.err(function() return e:exp_() end))
    assert.matches("expanded view", H.err(function() return e:copy(lunet.zeros(3, 4)) end))
    assert.matches("expanded view", H.err(lunet.gemm, lunet.ones(3, 2), lunet.ones(2, 4), e))
    assert.same({ 1, 1, 1, 1 }, x[1]:totable())
    assert.equal(12, e:sum())
  end)
end)

describe("sizes and dimensions that do not fit", function()
  local cases = {
    { "zeros(0, 2^62, 2^62)", "too large", function() return lunet.zeros(0, 2 ^ 62, 2 ^ 62) end },
    { "zeros{0, 2^40, 2^40}", "too large", function() return lunet.zeros { 0, 1 << 40, 1 << 40 } end },
    { "zeros(2^63) as a float", "must be an integer", function() return lunet.zeros(2 ^ 63) end },
    { "zeros(NaN)", "must be an integer", function() return lunet.zeros(0 / 0) end },
    { "zeros(inf)", "must be an integer", function() return lunet.zeros(math.huge) end },
    { "zeros(-1)", ">= 0", function() return lunet.zeros(-1) end },
    { "zeros{2, -3}", "non%-negative", function() return lunet.zeros { 2, -3 } end },
    { "zeros of a table with a huge __len", "dimensions",
      function() return lunet.zeros(setmetatable({}, { __len = function() return 1 << 40 end })) end },
    { "zeros of a table with a negative __len", "dimensions",
      function() return lunet.zeros(setmetatable({}, { __len = function() return -1 end })) end },
    { "permute(2^32 + 2, 1)", "dimension 4294967298 out of range 1..2",
      function() return lunet.zeros(2, 3):permute(2 ^ 32 + 2, 1) end },
    { "permute(1.5, 1)", "must be an integer", function() return lunet.zeros(2, 3):permute(1.5, 1) end },
    { "permute(-1, 1)", "out of range", function() return lunet.zeros(2, 3):permute(-1, 1) end },
    { "transpose(1, 2^32 + 1)", "out of range", function() return lunet.zeros(2, 3):transpose(1, 2 ^ 32 + 1) end },
    { "size(2^32 + 1)", "out of range", function() return lunet.zeros(2, 3):size(2 ^ 32 + 1) end },
    { "narrow with a huge length", "outside dimension 1 of size 2",
      function() return lunet.zeros(2, 3):narrow(1, 2, math.maxinteger) end },
    { "narrow from a huge start", "out of range",
      function() return lunet.zeros(2, 3):narrow(1, math.maxinteger, 1) end },
    { "narrow from the smallest integer", "out of range",
      function() return lunet.zeros(2, 3):narrow(1, math.mininteger, 1) end },
    { "narrow of dimension 2^32 + 1", "out of range",
      function() return lunet.zeros(2, 3):narrow(2 ^ 32 + 1, 1, 1) end },
    { "select(1, 2^40)", "out of range", function() return lunet.zeros(2, 3):select(1, 1 << 40) end },
    { "t[2^53]", "out of range", function() return lunet.zeros(2)[2 ^ 53] end },
    { "t[mininteger]", "out of range", function() return lunet.zeros(2)[math.mininteger] end },
    { "t[NaN]", "must be an integer", function() return lunet.zeros(2)[0 / 0] end },
    { "t[{1, 2^32 + 1}]", "out of range", function() return lunet.zeros(2, 2)[{ 1, 2 ^ 32 + 1 }] end },
    { "t[key with 2^40 entries]", "at most 8", function()
      return lunet.zeros(2)[setmetatable({}, { __len = function() return 1 << 40 end })]
    end },
    { "expand to 2^62 x 2^62", "too large", function() return lunet.ones(1, 1):expand(2 ^ 62, 2 ^ 62) end },
    { "contiguous copy of a 2^31 x 2^31 expansion", "too large",
      function() return lunet.ones(1, 1):expand(2 ^ 31, 2 ^ 31):contiguous() end },
    { "arange with 10^600 elements", "too many", function() return lunet.arange(0, 1e300, 1e-300) end },
    { "arange over the whole double range", "too many", function() return lunet.arange(-1e308, 1e308, 1) end },
    { "arange(0, inf)", "finite", function() return lunet.arange(0, math.huge) end },
    { "arange(NaN)", "finite", function() return lunet.arange(0 / 0) end },
    { "arange(0, 2^62)", "too", function() return lunet.arange(0, 2 ^ 62) end },
    { "arange(0, 2^61)", "too large", function() return lunet.arange(0, 2 ^ 61) end },
    { "linspace count -1", ">= 0", function() return lunet.linspace(0, 1, -1) end },
    { "linspace to inf", "finite", function() return lunet.linspace(0, math.huge, 3) end },
    { "linspace count NaN", "must be an integer", function() return lunet.linspace(0, 1, 0 / 0) end },
    { "linspace count 2^62", "too large", function() return lunet.linspace(0, 1, 1 << 62) end },
    { "one_hot with 2^40 classes", "class count", function() return lunet.one_hot(lunet.zeros(2), 1 << 40) end },
    { "view as 2^62 x 2^62", "too large", function() return lunet.zeros(4):view(2 ^ 62, 2 ^ 62) end },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " is an error", function()
      assert.matches(c[2], H.err(c[3]))
    end)
  end

  it("expand to a huge shape is a view with no memory, and reads as ones", function()
    local e = lunet.ones(1, 1, "float64"):expand(1 << 31, 1 << 31)
    assert.same({ 1 << 31, 1 << 31 }, e:shape())
    assert.same({ 0, 0 }, e:stride())
    assert.equal(1, e[{ 1 << 31, 12345 }])
  end)

  it("full(NaN, 2) holds NaNs; zeros(0, 5) is empty", function()
    local t = lunet.full(0 / 0, 2)
    assert.is_false(t:all_finite())
    assert.equal(0, lunet.zeros(0, 5):numel())
  end)
end)

describe("closed tensors and wrong types", function()
  local function closed()
    local t = lunet.ones(2, 2)
    t:close()
    return t
  end
  local uses = {
    { "t:add(1)", function(t) return t:add(1) end },
    { "t + 1", function(t) return t + 1 end },
    { "1 - t", function(t) return 1 - t end },
    { "t:add_(1)", function(t) return t:add_(1) end },
    { "t:exp()", function(t) return t:exp() end },
    { "t:sum()", function(t) return t:sum() end },
    { "t:max(1)", function(t) return t:max(1) end },
    { "t:var(1)", function(t) return t:var(1) end },
    { "t:view(4)", function(t) return t:view(4) end },
    { "t:t()", function(t) return t:t() end },
    { "t:narrow(1, 1, 1)", function(t) return t:narrow(1, 1, 1) end },
    { "t:permute(2, 1)", function(t) return t:permute(2, 1) end },
    { "t:clone()", function(t) return t:clone() end },
    { "t:double()", function(t) return t:double() end },
    { "t[1]", function(t) return t[1] end },
    { "t[{1, 1}] = 2", function(t) t[{ 1, 1 }] = 2 end },
    { "t:totable()", function(t) return t:totable() end },
    { "t:shape()", function(t) return t:shape() end },
    { "zeros:copy(t)", function(t) return lunet.zeros(2, 2):copy(t) end },
    { "t:copy(zeros)", function(t) return t:copy(lunet.zeros(2, 2)) end },
    { "matmul(t, x)", function(t) return lunet.matmul(t, lunet.ones(2, 2)) end },
    { "gemm into t", function(t) return lunet.gemm(lunet.ones(2, 2), lunet.ones(2, 2), t) end },
    { "tensor(t)", function(t) return lunet.tensor(t) end },
    { "save_npy of t", function(t)   -- the name os.tmpname made is removed, the error kept
      local path = os.tmpname()
      local ok, err = pcall(lunet.save_npy, path, t)
      os.remove(path)
      if not ok then error(err, 0) end
    end },
    { "one_hot(t)", function(t) return lunet.one_hot(t, 3) end },
  }
  for _, u in ipairs(uses) do
    it(u[1] .. " on a closed tensor is an error", function()
      assert.matches("closed", H.err(u[2], closed()))
    end)
  end

  it("close twice and is_closed", function()
    local t = lunet.ones(3)
    t:close()
    t:close()
    assert.is_true(t:is_closed())
  end)

  it("wrong types are named", function()
    local t = lunet.ones(2, 2)
    assert.matches("cannot index a tensor with a boolean", H.err(function() return t[true] end))
    assert.matches("integer expected", H.err(function() return t[{ 1, "x" }] end))
    assert.matches("number or a tensor", H.err(function() t[1] = {} end))
    assert.matches("cannot assign", H.err(function() t.foo = 1 end))
    assert.matches("expected", H.err(lunet.gemm, "a", t, t))
    assert.matches("option 'alpha' must be a number", H.err(lunet.gemm, t, t, t, { alpha = "x" }))
    assert.matches("tensor or number expected", H.err(function() return t:add({}) end))
    assert.matches("expected", H.err(function() return t:copy(5) end))
  end)
end)

describe("tables that lie about their length", function()
  it("tensor{} of a table whose __len is negative or huge is an error", function()
    local neg = setmetatable({}, { __len = function() return -3 end })
    assert.matches("negative", H.err(lunet.tensor, neg))
    local huge = setmetatable({}, { __len = function() return 1 << 62 end, __index = function() return 1 end })
    assert.matches("too large", H.err(lunet.tensor, { huge, huge }))
  end)

  it("tensor{} of rows whose __len changes between reads is called ragged", function()
    local n = 0
    local row = setmetatable({}, { __len = function() n = n + 1; return n end, __index = function() return 1 end })
    assert.matches("ragged", H.err(lunet.tensor, { row, row }))
  end)

  it("totable of a 2^31 x 2^31 expansion is an error, not a hang", function()
    local e = lunet.ones(1, 1):expand(1 << 31, 1 << 31)
    assert.matches("too many for Lua tables", H.err(function() return e:totable() end))
  end)
end)

describe("the reference kernels exposed for specs check their integers", function()
  local core = require "lunet.core"
  local x, w, b = lunet.ones(1, 1, 4, 4), lunet.ones(2, 1, 3, 3), lunet.zeros(2)

  it("a stride or pad past an int is an error, not truncated", function()
    assert.matches("does not fit an int", H.err(core._conv_forward_ref, x, w, b, 2 ^ 32 + 1, 0))
    assert.matches("does not fit an int", H.err(core._conv_forward_ref, x, w, b, 1, 2 ^ 32))
    assert.matches("pad", H.err(core._conv_forward_ref, x, w, b, 1, 1 << 30))
  end)

  it("a closed input is an error; valid arguments give the 3x3 sums", function()
    local y = core._conv_forward_ref(x, w, b, 1, 0)
    assert.same({ 1, 2, 2, 2 }, y:shape())
    assert.equal(9, y[{ 1, 2, 2, 2 }])
    local c = lunet.ones(1, 1, 4, 4)
    c:close()
    assert.matches("closed", H.err(core._conv_forward_ref, c, w, b, 1, 0))
  end)
end)
