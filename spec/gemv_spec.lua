-- Products with a single row or column of output go through gemv, not gemm
-- (csrc/ops.c, as_gemv): every combination of transpose flags and
-- transposed/narrowed views of a matrix times a vector and a row vector
-- times a matrix, against a Lua loop; beta = 0 over NaN; mv and dot.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"

local matrix = H.layout_matrix

local function want(a, ta, b, tb, alpha, beta, c)
  local p = H.matmul(ta and H.transpose(a) or a, tb and H.transpose(b) or b)
  for i = 1, #p do
    for j = 1, #p[1] do p[i][j] = alpha * p[i][j] + (beta == 0 and 0 or beta * c[i][j]) end
  end
  return p
end

describe("matrix-vector products (gemv)", function()
  for _, dtype in ipairs { "float64", "float32" } do
    local tol = dtype == "float64" and 1e-12 or 1e-5
    it(dtype .. ": one column or one row of output, every flag and layout", function()
      for _, shape in ipairs { { 4, 5, 1 }, { 1, 5, 4 }, { 1, 5, 1 }, { 3, 1, 1 }, { 1, 1, 3 } } do
        local m, k, n = shape[1], shape[2], shape[3]
        for _, la in ipairs { "plain", "transposed", "narrowed" } do
          for _, lb in ipairs { "plain", "transposed", "narrowed" } do
            for _, ta in ipairs { false, true } do
              for _, tb in ipairs { false, true } do
                local a, ea = matrix(ta and k or m, ta and m or k, dtype, la, 1)
                local b, eb = matrix(tb and n or k, tb and k or n, dtype, lb, 2)
                local c, ec = matrix(m, n, dtype, "plain", 3)
                local w = want(ea, ta, eb, tb, 0.5, -2, ec)
                lunet.gemm(a, b, c, { alpha = 0.5, beta = -2, transA = ta, transB = tb })
                H.near(c, w, tol, ("%dx%dx%d %s %s %s %s"):format(m, k, n, la, lb, ta, tb))
                local ct = lunet.zeros(n, m, dtype):fill(0 / 0):t()     -- C as a transposed view, beta 0
                lunet.gemm(a, b, ct, { alpha = 2, transA = ta, transB = tb })
                H.near(ct, want(ea, ta, eb, tb, 2, 0, nil), tol, "C transposed, beta = 0 over NaN")
              end
            end
          end
        end
      end
    end)

    it(dtype .. ": mv and dot", function()
      local a, ea = matrix(6, 4, dtype, "transposed", 4)
      local v, ev = matrix(4, 1, dtype, "narrowed", 5)
      H.near(core.mv(a, v:select(2, 1)):view(6, 1), H.matmul(ea, ev), tol)
      local x, ex = matrix(1, 6, dtype, "plain", 6)
      H.near(lunet.tensor({ core.dot(x:select(1, 1), x:select(1, 1)) }, dtype):view(1, 1),
        H.matmul(ex, H.transpose(ex)), tol)
    end)
  end
end)
