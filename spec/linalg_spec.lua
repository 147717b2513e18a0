local lunet = require "lunet"
local H = require "spec.helpers"

describe("linear algebra", function()
  lunet.seed(3)

  it("matmul matches the plain triple loop, float32 and float64", function()
    for _, dtype in ipairs { "float32", "float64" } do
      local a, b = lunet.randn(5, 7, dtype), lunet.randn(7, 3, dtype)
      H.near(lunet.matmul(a, b), H.matmul(a:totable(), b:totable()), dtype == "float32" and 1e-5 or 1e-13)
      H.near(a:matmul(b), H.matmul(a:totable(), b:totable()), dtype == "float32" and 1e-5 or 1e-13)
    end
  end)

  it("reads transposed and narrowed operands without copying mistakes", function()
    local a, b = lunet.randn(7, 5, "float64"), lunet.randn(3, 7, "float64")
    local ref = H.matmul(H.transpose(a:totable()), H.transpose(b:totable()))
    H.near(lunet.matmul(a:t(), b:t()), ref, 1e-13)
    local big = lunet.randn(10, 10, "float64")
    local part = big:narrow(1, 2, 4):narrow(2, 3, 5)
    H.near(lunet.matmul(part, part:t()), H.matmul(part:totable(), H.transpose(part:totable())), 1e-13)
    local strided = big:select(2, 4)       -- a column: stride 10
    local column = H.map(strided:totable(), function(v) return { v } end)
    H.near(lunet.mv(big, strided), H.matmul(big:totable(), column), 1e-13)
  end)

  it("mv, dot, outer and vector-matrix", function()
    local m = lunet.tensor({ { 1, 2 }, { 3, 4 }, { 5, 6 } }, "float64")
    local x = lunet.tensor({ 1, -1 }, "float64")
    assert.are.same({ -1, -1, -1 }, lunet.mv(m, x):totable())
    assert.are.equal(2, lunet.dot(x, x))
    assert.are.same({ 9, 12 }, lunet.matmul(lunet.tensor({ 1, 1, 1 }, "float64"), m):totable())
    assert.are.same({ { 1, -1 }, { 2, -2 } }, lunet.outer(lunet.tensor({ 1, 2 }, "float64"), x):totable())
    assert.matches("do not agree", H.err(lunet.mv, m, lunet.zeros(3, "float64")))
    assert.matches("mv takes a matrix and a vector", H.err(lunet.mv, x, m))
    assert.matches("dtype mismatch", H.err(lunet.matmul, m, lunet.zeros(2, 2)))
  end)

  it("gemm applies alpha, beta and transposes like the reference kernel", function()
    for _, ta in ipairs { false, true } do
      for _, tb in ipairs { false, true } do
        local a = ta and lunet.randn(6, 4, "float64") or lunet.randn(4, 6, "float64")
        local b = tb and lunet.randn(5, 6, "float64") or lunet.randn(6, 5, "float64")
        local c0 = lunet.randn(4, 5, "float64")
        local opts = { alpha = 0.5, beta = -2, transA = ta, transB = tb }
        local fast = lunet.gemm(a, b, c0:clone(), opts)
        local ref = require("lunet.core")._gemm_ref(a, b, c0:clone(), opts)
        H.near(fast, ref, 1e-13)
        local ea = ta and H.transpose(a:totable()) or a:totable()
        local eb = tb and H.transpose(b:totable()) or b:totable()
        local plain = H.map2(H.matmul(ea, eb), c0:totable(), function(p, c) return 0.5 * p - 2 * c end)
        H.near(fast, plain, 1e-13)
      end
    end
  end)

  it("gemm writes into a transposed output view", function()
    local a, b = lunet.randn(3, 4, "float64"), lunet.randn(4, 2, "float64")
    local storage = lunet.zeros(2, 3, "float64")
    lunet.gemm(a, b, storage:t())
    H.near(storage:t(), H.matmul(a:totable(), b:totable()), 1e-13)
  end)

  it("gemm checks shapes", function()
    assert.matches("do not agree", H.err(lunet.gemm, lunet.zeros(2, 3), lunet.zeros(2, 3), lunet.zeros(2, 3)))
    assert.matches("2%-dimensional", H.err(lunet.gemm, lunet.zeros(2), lunet.zeros(2, 3), lunet.zeros(2, 3)))
  end)
end)
