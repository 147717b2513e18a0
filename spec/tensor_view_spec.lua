local lunet = require "lunet"
local H = require "spec.helpers"

local function grid(r, c)
  return lunet.arange(r * c, "float64"):view(r, c)
end

describe("tensor views", function()
  it("view and reshape share or copy as they should", function()
    local t = grid(2, 3)
    local v = t:view(3, 2)
    assert.is_true(v:shares_storage(t))
    v[{ 1, 1 }] = 99
    assert.are.equal(99, t[{ 1, 1 }])
    assert.matches("contiguous", H.err(function() return t:t():view(6) end))
    local r = t:t():reshape(6)
    assert.is_false(r:shares_storage(t))
    assert.are.same({ 99, 3, 1, 4, 2, 5 }, r:totable())
    assert.matches("cannot view 6 elements", H.err(function() return t:view(4) end))
  end)

  it("narrow, select, transpose and permute index the right elements", function()
    local t = grid(3, 4)
    assert.are.same({ { 1, 2 }, { 5, 6 }, { 9, 10 } }, t:narrow(2, 2, 2):totable())
    assert.are.same({ 4, 5, 6, 7 }, t:select(1, 2):totable())
    assert.are.same({ 2, 6, 10 }, t:select(2, 3):totable())
    assert.are.same(H.transpose(t:totable()), t:t():totable())
    local c = lunet.arange(24, "float64"):view(2, 3, 4)
    local p = c:permute(3, 1, 2)
    assert.are.same({ 4, 2, 3 }, p:shape())
    assert.are.equal(c[{ 2, 3, 4 }], p[{ 4, 2, 3 }])
    assert.are.equal(c[{ 1, 2, 3 }], c:transpose(1, 3)[{ 3, 2, 1 }])
    assert.is_false(p:is_contiguous())
    assert.is_true(p:contiguous():is_contiguous())
    assert.are.same(p:totable(), p:contiguous():totable())
    assert.matches("2 elements from element 3 are outside dimension 1 of size 3",
      H.err(function() return t:narrow(1, 3, 2) end))
    assert.matches("not a permutation", H.err(function() return c:permute(1, 1, 2) end))
  end)

  it("expand broadcasts without copying", function()
    local row = lunet.tensor({ { 1, 2, 3 } })
    local e = row:expand(4, 3)
    assert.are.same({ 0, 1 }, e:stride())
    assert.are.same({ 1, 2, 3 }, e[4]:totable())
    assert.matches("cannot expand", H.err(function() return row:expand(4, 2) end))
  end)

  it("indexes with 1-based checked integers", function()
    local t = grid(2, 3)
    assert.are.equal(5, t[2][3])
    assert.are.equal(5, t[{ 2, 3 }])
    assert.are.same({ 3, 4, 5 }, t[2]:totable())
    assert.are.equal(2, #t)
    t[{ 1, 2 }] = -1
    assert.are.equal(-1, t[1][2])
    t[2] = 7
    assert.are.same({ 7, 7, 7 }, t[2]:totable())
    t[1] = lunet.tensor({ 1, 1, 1 }, "float64")
    assert.are.same({ 1, 1, 1 }, t[1]:totable())
    assert.matches("index 3 out of range 1..2", H.err(function() return t[3] end))
    assert.matches("index 0 out of range", H.err(function() return t[0] end))
    assert.matches("index must be an integer, got 1.5", H.err(function() return t[1.5] end))
    assert.matches("3 indices for a 2%-dimensional", H.err(function() return t[{ 1, 1, 1 }] end))
    assert.matches("number or a tensor", H.err(function() t[1] = "x" end))
    assert.is_nil(t.no_such_method)
  end)

  it("clone, copy and dtype conversion", function()
    local t = grid(2, 2)
    local c = t:clone()
    c[{ 1, 1 }] = 5
    assert.are.equal(0, t[{ 1, 1 }])
    local f = t:float()
    assert.are.equal("float32", f:dtype())
    assert.are.equal(t, t:double())
    assert.are.equal("float64", f:to("float64"):dtype())
    local dst = lunet.zeros(4)
    dst:copy(t)
    assert.are.same({ 0, 1, 2, 3 }, dst:totable())
    assert.matches("4 elements into 3", H.err(function() lunet.zeros(3):copy(t) end))
  end)

  it("views keep their storage alive after the parent is collected", function()
    local v
    do
      local parent = lunet.arange(1000, "float64")
      v = parent:narrow(1, 991, 10)
    end
    collectgarbage()
    collectgarbage()
    assert.are.same({ 990, 991, 992, 993, 994, 995, 996, 997, 998, 999 }, v:totable())
  end)

  it("closes with <close> and then refuses use", function()
    local outer
    do
      local t <close> = lunet.zeros(3)
      outer = t
    end
    assert.is_true(outer:is_closed())
    assert.matches("closed", H.err(function() return outer:sum() end))
    assert.are.equal("[Tensor (closed)]", tostring(outer))
  end)
end)
