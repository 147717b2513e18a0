-- lunet.linalg under hostile input, sixth round: finite matrices whose
-- answers leave the dtype's range. LAPACK returns them as Inf, or as NaN
-- where the answer is 0 (inf - inf); they are refused by name instead.
local lunet = require "lunet"
local H = require "spec.helpers"

local la = lunet.linalg
local T = lunet.tensor

describe("a result past the dtype's range", function()
  it("from inv of a matrix singular to working precision is refused (it had NaN where 0 belongs)", function()
    assert.matches("linalg.inv: the inverse's values overflow float64 %(%d+ NaN or Inf entries%): the matrix is "
      .. "singular to working precision", H.err(la.inv, T({ { 1e-310, 0 }, { 0, 1 } }, "float64")))
  end)

  it("from solve is refused, in float64 and when only float32's rounding overflows", function()
    -- U = [[1e-300, 1e-300], [0, 1e-300]], b = [1e300, 1e300]: x = [0, 1e600], which came back [-inf, inf]
    local a = T({ { 1e-300, 1e-300 }, { 0, 1e-300 } }, "float64")
    assert.matches("linalg.solve: the solution's values overflow float64 %(2 NaN or Inf entries%)",
      H.err(la.solve, a, T({ 1e300, 1e300 }, "float64")))
    assert.matches("the solution's values overflow float32 %(1 NaN",
      H.err(la.solve, T({ { 1e-30 } }, "float32"), T({ 1e10 }, "float32")))
    assert.matches("the inverse's values overflow float32",
      H.err(la.inv, T({ { 1e-39, 0 }, { 0, 1 } }, "float32")))
  end)

  it("from eigh and eigvalsh of entries near the largest float is refused", function()
    local big = T({ { 1e308, 1e308 }, { 1e308, 1e308 } }, "float64")
    assert.matches("linalg.eigh: the eigenvalues overflow float64", H.err(la.eigh, big))
    assert.matches("linalg.eigvalsh: the eigenvalues overflow float64", H.err(la.eigvalsh, big))
    assert.matches("the eigenvalues overflow float32",
      H.err(la.eigvalsh, T({ { 3e38, 3e38 }, { 3e38, 3e38 } }, "float32")))
  end)

  it("is not refused when it is only large, and det and slogdet keep their overflow", function()
    H.near(la.inv(T({ { 1e-300, 0 }, { 0, 1 } }, "float64")), { { 1e300, 0 }, { 0, 1 } }, 1e-12)
    assert.are.equal(math.huge, la.det(T({ { 1e200, 0 }, { 0, 1e200 } }, "float64")))
    local sign, logabs = la.slogdet(T({ { 1e200, 0 }, { 0, 1e200 } }, "float64"))
    assert.are.equal(1, sign)
    H.near(logabs, 400 * math.log(10), 1e-9)
  end)

  it("leaves minimize's Newton converging: a refused solve is damped further", function()
    -- a Hessian whose Cholesky factor exists but whose solve overflows
    local x, h = lunet.optim.minimize(function(x) return x:dot(x), x:mul(2) end, { 1, 1 },
      { method = "newton", hess = function() return T({ { 2, 0 }, { 0, 1e-320 } }, "float64") end })
    assert.is_true(h.converged, h.reason)
    assert.is_true(x:norm() < 1e-5)
  end)
end)
