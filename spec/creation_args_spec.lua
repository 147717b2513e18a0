-- Creation functions' trailing dtype or options table, each form alone, and
-- option fields of the wrong type, with the exact messages (nothing added
-- before or after them when called through pcall).
local lunet = require "lunet"

local function message(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  return err
end

describe("creation arguments", function()
  it("a dtype alone, or nothing, is not a size", function()
    assert.are.equal("expected sizes (integers or a table of them)", message(lunet.zeros, "float64"))
    assert.are.equal("expected sizes (integers or a table of them)", message(lunet.zeros))
  end)

  it("takes a dtype or an options table after the sizes, and a table of sizes alone", function()
    local a = lunet.zeros(2, { dtype = "float64" })
    assert.are.same({ "float64", { 2 } }, { a:dtype(), a:shape() })
    local b = lunet.zeros({ 2, 3 })
    assert.are.same({ "float32", { 2, 3 } }, { b:dtype(), b:shape() })
    local c = lunet.zeros({ 2, 3 }, "float64")
    assert.are.same({ "float64", { 2, 3 } }, { c:dtype(), c:shape() })
    local d = lunet.ones(3, "float64")
    assert.are.same({ "float64", { 3 }, { 1, 1, 1 } }, { d:dtype(), d:shape(), d:totable() })
  end)

  it("a table of sizes with keys other than 1..n is refused, never read as a shorter shape", function()
    for _, f in ipairs({ lunet.zeros, lunet.ones, lunet.randn, lunet.rand }) do
      assert.matches("keys 1..0, not 'dtype' %(options go in a table after the sizes%)",
        message(f, { dtype = "float64" }))
      assert.matches("keys 1..2, not 'x'", message(f, { 2, 3, x = 1 }))
      assert.matches("keys 1..1, not 3%)$", message(f, { [1] = 2, [3] = 4 }))
      assert.matches("keys 1..1, not 2.5", message(f, { 2, [2.5] = 1 }))
    end
    assert.matches("list of dimensions has only the keys 1..2, not 'y'%)$",
      message(function() return lunet.zeros(2, 3):permute({ 2, 1, y = 0 }) end))
    assert.matches("tensor: a list of elements has only the keys 1..2, not 'x'$",
      message(lunet.tensor, { 1, 2, x = 3 }))
    assert.matches("tensor: a list of elements has only the keys 1..2, not 0$",
      message(lunet.tensor, { { 1, 2 }, { 3, 4, [0] = 1 } }))
    assert.matches("a list of indices has only the keys 1..2, not 'z'%)$",
      message(function() return lunet.zeros(2, 3)[{ 1, 2, z = 1 }] end))
    assert.matches("a list of indices has only the keys 1..2, not 'z'%)$",
      message(function() lunet.zeros(2, 3)[{ 1, 2, z = 1 }] = 5 end))
    -- a proxy that serves its items through metamethods has no raw keys and is read as a list
    local proxy = setmetatable({}, { __len = function() return 2 end, __index = function() return 3 end })
    assert.are.same({ 3, 3 }, lunet.zeros(proxy):shape())
    assert.are.same({}, lunet.zeros({}):shape())
  end)

  it("option fields of the wrong type are refused with their names", function()
    assert.are.equal("option 'transA' must be true or false, got number",
      message(lunet.gemm, lunet.ones(2, 2), lunet.ones(2, 2), lunet.zeros(2, 2), { transA = 1 }))
    assert.are.equal("option 'transB' must be true or false, got string",
      message(lunet.gemm, lunet.ones(2, 2), lunet.ones(2, 2), lunet.zeros(2, 2), { transB = "yes" }))
    assert.are.equal("option 'mean' must be a number", message(lunet.randn, 2, { mean = "x" }))
    local c = lunet.zeros(2, 2)
    lunet.gemm(lunet.ones(2, 2), lunet.tensor({ { 1, 2 }, { 3, 4 } }), c, { transB = true })
    assert.are.same({ { 3, 7 }, { 3, 7 } }, c:totable())
  end)
end)
