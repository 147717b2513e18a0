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
