-- GEMM over every layout a view can have, against a plain Lua triple loop:
-- operands given as transposed views and/or with the transpose flags, C as
-- a transposed or narrowed view, matrices with a dimension of 1, and beta = 0
-- over a C holding NaN (BLAS ignores what C held; so must lunet).
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"

local function matrix(r, c, dtype, transposed, salt)
  return H.layout_matrix(r, c, dtype, transposed and "transposed" or "plain", salt)
end

local function product(a, ta, b, tb, alpha, beta, c)
  local ea = ta and H.transpose(a) or a
  local eb = tb and H.transpose(b) or b
  local p = H.matmul(ea, eb)
  for i = 1, #p do
    for j = 1, #p[1] do
      p[i][j] = alpha * p[i][j] + (beta == 0 and 0 or beta * c[i][j])
    end
  end
  return p
end

describe("gemm over views (regression)", function()
  for _, dtype in ipairs { "float64", "float32" } do
    local tol = dtype == "float64" and 1e-12 or 1e-4
    for _, fn in ipairs { "gemm", "_gemm_ref" } do
      it(("%s %s: every combination of transposed views and transpose flags"):format(dtype, fn), function()
        local gemm = fn == "gemm" and lunet.gemm or core._gemm_ref
        local m, k, n = 3, 4, 5
        for _, va in ipairs { false, true } do
          for _, vb in ipairs { false, true } do
            for _, ta in ipairs { false, true } do
              for _, tb in ipairs { false, true } do
                local a, ea = matrix(ta and k or m, ta and m or k, dtype, va, 1)
                local b, eb = matrix(tb and n or k, tb and k or n, dtype, vb, 2)
                local c0, ec = matrix(m, n, dtype, false, 3)
                local want = product(ea, ta, eb, tb, 0.5, -2, ec)
                local got = gemm(a, b, c0, { alpha = 0.5, beta = -2, transA = ta, transB = tb })
                H.near(got, want, tol, ("views %s %s flags %s %s"):format(va, vb, ta, tb))
                H.near(c0, want, tol, "C is updated in place")
              end
            end
          end
        end
      end)

      it(("%s %s: C as a transposed view and as a narrowed view"):format(dtype, fn), function()
        local gemm = fn == "gemm" and lunet.gemm or core._gemm_ref
        local a, ea = matrix(3, 4, dtype, false, 4)
        local b, eb = matrix(4, 2, dtype, true, 5)
        local store, es = matrix(2, 3, dtype, false, 6)
        local want = product(ea, false, eb, false, 1.5, 0.25, H.transpose(es))
        gemm(a, b, store:t(), { alpha = 1.5, beta = 0.25 })
        H.near(store:t(), want, tol)
        -- a (3, 2) block in the middle of a (5, 6) matrix: only the block changes
        local big, eb2 = matrix(5, 6, dtype, false, 7)
        local block = big:narrow(1, 2, 3):narrow(2, 3, 2)
        local eblock = {}
        for i = 1, 3 do eblock[i] = { eb2[i + 1][3], eb2[i + 1][4] } end
        local want2 = product(ea, false, eb, false, -1, 2, eblock)
        gemm(a, b, block, { alpha = -1, beta = 2 })
        local got = big:totable()
        for i = 1, 5 do
          for j = 1, 6 do
            local inside = i >= 2 and i <= 4 and j >= 3 and j <= 4
            local w = inside and want2[i - 1][j - 2] or eb2[i][j]
            assert(math.abs(got[i][j] - w) <= tol * (1 + math.abs(w)),
              ("(%d, %d): %g, want %g"):format(i, j, got[i][j], w))
          end
        end
      end)

      it(("%s %s: beta = 0 ignores NaN and infinity in C"):format(dtype, fn), function()
        local gemm = fn == "gemm" and lunet.gemm or core._gemm_ref
        for _, vc in ipairs { false, true } do
          local a, ea = matrix(2, 3, dtype, false, 8)
          local b, eb = matrix(3, 4, dtype, true, 9)
          local c = vc and lunet.zeros(4, 2, dtype):fill(0 / 0):t() or lunet.zeros(2, 4, dtype):fill(0 / 0)
          c[{ 1, 2 }] = math.huge
          gemm(a, b, c, { alpha = 2, beta = 0 })
          assert.is_true(c:all_finite())
          H.near(c, product(ea, false, eb, false, 2, 0, nil), tol)
          -- the default beta is 0 too
          c:fill(0 / 0)
          gemm(a, b, c)
          H.near(c, H.matmul(ea, eb), tol)
        end
      end)

      it(("%s %s: rows and columns of one element"):format(dtype, fn), function()
        local gemm = fn == "gemm" and lunet.gemm or core._gemm_ref
        for _, shape in ipairs { { 1, 4, 3 }, { 3, 4, 1 }, { 3, 1, 2 }, { 1, 1, 1 }, { 2, 3, 1 } } do
          local m, k, n = shape[1], shape[2], shape[3]
          for _, va in ipairs { false, true } do
            for _, vb in ipairs { false, true } do
              local a, ea = matrix(m, k, dtype, va, 10)
              local b, eb = matrix(k, n, dtype, vb, 11)
              local c, ec = matrix(m, n, dtype, false, 12)
              gemm(a, b, c, { alpha = 1, beta = 1 })
              H.near(c, product(ea, false, eb, false, 1, 1, ec), tol,
                ("%dx%dx%d views %s %s"):format(m, k, n, va, vb))
            end
          end
        end
      end)
    end
  end

  for _, fn in ipairs { "gemm", "_gemm_ref" } do
    it(fn .. ": operands and C that are neither row- nor column-major (select, expand)", function()
      local gemm = fn == "gemm" and lunet.gemm or core._gemm_ref
      -- a (3, 4, 5) block; select(3, k) is (3, 4) with strides (20, 5)
      local cube, vals = {}, {}
      for i = 1, 3 do
        cube[i], vals[i] = {}, {}
        for j = 1, 4 do
          cube[i][j] = {}
          for k = 1, 5 do cube[i][j][k] = ((i * 11 + j * 5 + k * 3) % 13 - 6) / 8 end
          vals[i][j] = cube[i][j][2]
        end
      end
      local a = lunet.tensor(cube, "float64"):select(3, 2)
      assert.are.same({ 20, 5 }, a:stride())
      local b, eb = matrix(4, 2, "float64", false, 16)
      local c = lunet.zeros(3, 2, "float64")
      gemm(a, b, c)
      H.near(c, H.matmul(vals, eb), 1e-12)
      -- the same view as B (transposed: (4, 3) with strides (5, 20)) and as C
      local a2, ea2 = matrix(2, 4, "float64", false, 17)
      local c2 = lunet.zeros(2, 3, "float64")
      gemm(a2, a:t(), c2)
      H.near(c2, H.matmul(ea2, H.transpose(vals)), 1e-12)
      local store = lunet.zeros(3, 4, 5, "float64")
      local cv = store:select(3, 4)
      local a3, ea3 = matrix(3, 2, "float64", false, 18)
      local b3, eb3 = matrix(2, 4, "float64", true, 19)
      gemm(a3, b3, cv, { alpha = 2 })
      H.near(cv, H.map(H.matmul(ea3, eb3), function(v) return 2 * v end), 1e-12)
      H.near(store:select(3, 3), H.map(vals, function() return 0 end), 0)   -- its neighbours untouched
      -- a row repeated by expand (stride 0)
      local row = lunet.tensor({ { 1, -2, 0.5, 3 } }, "float64"):expand(3, 4)
      local c4 = lunet.zeros(3, 2, "float64")
      gemm(row, b, c4)
      local r = H.matmul({ { 1, -2, 0.5, 3 } }, eb)[1]
      H.near(c4, { r, r, r }, 1e-12)
    end)
  end

  it("matmul of transposed and narrowed views equals the plain product", function()
    local a, ea = matrix(4, 3, "float64", true, 13)
    local b, eb = matrix(3, 5, "float64", false, 14)
    H.near(lunet.matmul(a, b), H.matmul(ea, eb), 1e-12)
    H.near(lunet.matmul(b:t(), a:t()), H.transpose(H.matmul(ea, eb)), 1e-12)
    -- every other column: a view BLAS cannot read directly
    local wide, ew = matrix(3, 10, "float64", false, 15)
    local cols = wide:narrow(2, 1, 9)
    local picked = {}
    for i = 1, 3 do picked[i] = {} for j = 1, 9 do picked[i][j] = ew[i][j] end end
    H.near(lunet.matmul(a, cols), H.matmul(ea, picked), 1e-12)
  end)
end)
