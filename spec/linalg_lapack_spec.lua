-- lunet.linalg (LAPACK from OpenBLAS) against references with known answers:
-- A = Q diag(d) Q^T with Q a product of Householder reflections, so the
-- eigenvalues are d exactly; solutions are checked against the x that made b.
local lunet = require "lunet"
local H = require "spec.helpers"
local linalg = lunet.linalg

-- An orthogonal n x n matrix (float64): the product of three reflections.
local function orthogonal(n)
  local q = lunet.eye and lunet.eye(n, "float64") or nil
  if not q then
    q = lunet.zeros(n, n, "float64")
    for i = 1, n do q[i][i] = 1 end
  end
  for _ = 1, 3 do
    local u = lunet.randn(n, "float64")
    local r = lunet.outer(u, u):mul(-2 / u:dot(u))
    for i = 1, n do r[i][i] = r[i][i] + 1 end
    q = lunet.matmul(q, r)
  end
  return q
end

-- Q diag(d) Q^T for a Lua list d, and Q.
local function with_eigenvalues(d)
  local n = #d
  local q = orthogonal(n)
  local a = lunet.matmul(q:mul(lunet.tensor(d, "float64"):view(1, n)), q:t())
  return a:add(a:t()):mul(0.5), q    -- exactly symmetric
end

local function identity(n)
  local t = {}
  for i = 1, n do
    t[i] = {}
    for j = 1, n do t[i][j] = i == j and 1 or 0 end
  end
  return t
end

local spd = { 0.5, 1, 2, 3, 5, 8, 13, 21 }
local indefinite = { -7, -2.5, -0.5, 0.25, 1, 4, 6, 9 }
local tol = { float32 = 2e-5, float64 = 1e-12 }

describe("lunet.linalg", function()
  lunet.seed(11)

  for _, dtype in ipairs { "float64", "float32" } do
    for _, case in ipairs { { "positive definite", spd }, { "indefinite", indefinite } } do
      local name, d = case[1], case[2]

      local title = "eigh finds the eigenvalues of a %s %s matrix, ascending, with orthonormal vectors"
      it(title:format(name, dtype), function()
        local a = with_eigenvalues(d):to(dtype)
        local w, v = linalg.eigh(a)
        assert.are.equal(dtype, w:dtype())
        assert.are.equal(dtype, v:dtype())
        H.near(w, d, tol[dtype] * 21, "eigenvalues")
        local a64, w64, v64 = a:to("float64"), w:to("float64"), v:to("float64")
        -- A V = V diag(w) and V^T V = I
        H.near(lunet.matmul(a64, v64), v64:mul(w64:view(1, #d)), tol[dtype] * 21, "A v = lambda v")
        H.near(lunet.matmul(v64:t(), v64), identity(#d), tol[dtype] * 4, "V^T V = I")
        H.near(linalg.eigvalsh(a), w, tol[dtype] * 21, "eigvalsh")
      end)

      it(("solve and inv on a %s %s matrix"):format(name, dtype), function()
        local a = with_eigenvalues(d):to(dtype)
        local x = lunet.randn(#d, "float64")
        local b = lunet.mv(a:to("float64"), x):to(dtype)
        -- condition number 42 (spd) or 36: the error is at most that times rounding
        H.near(linalg.solve(a, b), x, tol[dtype] * 100, "solve")
        local bs = lunet.randn(#d, 3, dtype)
        local xs = linalg.solve(a, bs)
        assert.are.same({ #d, 3 }, xs:shape())
        H.near(lunet.matmul(a:to("float64"), xs:to("float64")), bs, tol[dtype] * 100, "A X = B")
        local ai = linalg.inv(a)
        H.near(lunet.matmul(a:to("float64"), ai:to("float64")), identity(#d), tol[dtype] * 100, "A inv(A) = I")
        local prod = 1
        for _, v in ipairs(d) do prod = prod * v end
        H.near(linalg.det(a), prod, tol[dtype] * 100, "det")
        local sign, logabs = linalg.slogdet(a)
        assert.are.equal(prod < 0 and -1 or 1, sign)
        H.near(logabs, math.log(math.abs(prod)), tol[dtype] * 100, "slogdet")
      end)
    end

    it("cholesky of a positive definite " .. dtype .. " matrix: lower, L L^T = A", function()
      local a = with_eigenvalues(spd):to(dtype)
      local l = linalg.cholesky(a)
      local lt = l:totable()
      for i = 1, #spd do
        assert.is_true(lt[i][i] > 0)
        for j = i + 1, #spd do assert.are.equal(0, lt[i][j]) end
      end
      local l64 = l:to("float64")
      H.near(lunet.matmul(l64, l64:t()), a:to("float64"), tol[dtype] * 21, "L L^T = A")
    end)
  end

  it("solves a non-symmetric system the right way round (row-major input)", function()
    local a = lunet.tensor({ { 1, 2 }, { 3, 4 } }, "float64")
    H.near(linalg.solve(a, lunet.tensor({ 5, 6 }, "float64")), { -4, 4.5 }, 1e-14)
    H.near(linalg.inv(a), { { -2, 1 }, { 1.5, -0.5 } }, 1e-14)
    H.near(linalg.det(a), -2, 1e-14)
  end)

  it("reads strided views: a transpose, a narrowed block, a column right-hand side", function()
    local big = lunet.randn(9, 9, "float64"):add(lunet.tensor(identity(9), "float64"):mul(9))
    local block = big:narrow(1, 2, 6):narrow(2, 3, 6)
    local rhs = big:select(2, 1):narrow(1, 1, 6)      -- stride 9
    local x = linalg.solve(block:t(), rhs)
    H.near(lunet.mv(block:t():contiguous(), x), rhs, 1e-12, "A^T x = b")
    H.near(linalg.inv(block:t()), linalg.inv(block:contiguous()):t(), 1e-12, "inv(A^T) = inv(A)^T")
  end)

  it("uses only the lower triangle in cholesky and eigh", function()
    local a = with_eigenvalues(spd)
    local skewed = a:clone()
    for i = 1, #spd do
      for j = i + 1, #spd do skewed[i][j] = 1e3 end
    end
    H.near(linalg.cholesky(skewed), linalg.cholesky(a), 1e-13)
    H.near(linalg.eigvalsh(skewed), spd, 1e-12)
  end)

  it("is also a set of Tensor methods", function()
    local a = lunet.tensor({ { 1, 2 }, { 3, 4 } }, "float64")
    H.near(a:solve(lunet.tensor({ 5, 6 }, "float64")), { -4, 4.5 }, 1e-14)
    H.near(a:inv(), linalg.inv(a), 0)
    assert.are.equal(linalg.det(a), a:det())
    local s = lunet.tensor({ { 2, 1 }, { 1, 2 } }, "float64")
    H.near(s:eigh(), { 1, 3 }, 1e-14)
    H.near(s:cholesky(), linalg.cholesky(s), 0)
  end)

  it("handles 0x0 and 1x1 matrices and empty right-hand sides", function()
    local z = lunet.zeros(0, 0, "float64")
    local w, v = linalg.eigh(z)
    assert.are.same({ 0 }, w:shape())
    assert.are.same({ 0, 0 }, v:shape())
    assert.are.same({ 0, 0 }, linalg.inv(z):shape())
    assert.are.same({ 0, 0 }, linalg.cholesky(z):shape())
    assert.are.equal(1, linalg.det(z))
    assert.are.same({ 0 }, linalg.solve(z, lunet.zeros(0, "float64")):shape())
    local one = lunet.tensor({ { 2 } }, "float64")
    H.near(linalg.inv(one), { { 0.5 } }, 0)
    H.near(linalg.solve(one, lunet.tensor({ 4 }, "float64")), { 2 }, 0)
    H.near(linalg.cholesky(one), { { math.sqrt(2) } }, 1e-15)
    assert.are.same({ 2, 0 }, linalg.solve(lunet.tensor({ { 2, 0 }, { 0, 4 } }), lunet.zeros(2, 0)):shape())
  end)

  it("raises clear errors", function()
    local sq = lunet.tensor({ { 1, 2 }, { 2, 1 } }, "float64")
    assert.matches("linalg.cholesky: matrix is not positive definite %(the leading minor of order 2",
      H.err(linalg.cholesky, sq))
    local sing = lunet.tensor({ { 1, 2 }, { 2, 4 } }, "float64")
    assert.matches("linalg.solve: singular matrix", H.err(linalg.solve, sing, lunet.ones(2, "float64")))
    assert.matches("linalg.inv: singular matrix", H.err(linalg.inv, sing))
    assert.are.equal(0, linalg.det(sing))
    local sign, logabs = linalg.slogdet(sing)
    assert.are.equal(0, sign)
    assert.are.equal(-math.huge, logabs)
    for _, f in ipairs { "solve", "cholesky", "eigh", "inv", "det" } do
      assert.matches("linalg." .. f .. ": expected a square matrix, got shape 2x3",
        H.err(linalg[f], lunet.zeros(2, 3, "float64"), lunet.ones(2, "float64")))
      assert.matches("linalg." .. f .. ": expected a square matrix",
        H.err(linalg[f], lunet.ones(3, "float64"), lunet.ones(3, "float64")))
    end
    assert.matches("right%-hand side of shape 3 does not fit a 2x2 matrix",
      H.err(linalg.solve, sq, lunet.ones(3, "float64")))
    assert.matches("dtype mismatch", H.err(linalg.solve, sq, lunet.ones(2)))
    assert.matches("must be a vector %(n%) or a matrix %(n, k%)",
      H.err(linalg.solve, sq, lunet.ones(2, 1, 1, "float64")))
    local nan = sq:clone()
    nan[1][2] = 0 / 0
    for _, f in ipairs { "solve", "cholesky", "eigh", "inv", "slogdet" } do
      assert.matches("linalg." .. f .. ": the matrix has 1 non%-finite entries",
        H.err(linalg[f], nan, lunet.ones(2, "float64")))
    end
    local b = lunet.ones(2, "float64")
    b[2] = math.huge
    assert.matches("the right%-hand side has 1 non%-finite", H.err(linalg.solve, sq, b))
    local closed = sq:clone()
    closed:close()
    assert.matches("closed", H.err(linalg.eigh, closed))
    assert.matches("lunet.Tensor expected", H.err(linalg.inv, { { 1 } }))
  end)
end)
