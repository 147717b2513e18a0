-- Hessian-vector products by the R-operator (csrc/hessian.c) and what is
-- built on them: lunet.optim.hvp, hessian and newton_step.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn
local H = require "spec.helpers"

local function labels(n, classes)
  local y = lunet.zeros(n)
  for i = 1, n do y[i] = (i * 7) % classes end
  return y
end

local function set(n, inputs, classes, seed)
  lunet.seed(seed or 11)
  return { x = lunet.randn(n, inputs, "float64"), y = labels(n, classes) }
end

-- Central differences of the gradient along v: (g(w + h v) - g(w - h v)) / 2h.
local function fd_hvp(f, w, v, h)
  local _, gp = f(w:add(v:mul(h)))
  local _, gm = f(w:sub(v:mul(h)))
  f(w)   -- the model back at w
  return gp:sub(gm):div(2 * h)
end

local function rel(a, b)
  return a:sub(b):norm() / b:norm()
end

-- Each network with the layers the R-operator supports, each cost.
local cases = {
  { "dense + sigmoid, cross-entropy (fused)", function()
      return nn.Sequential({ nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 3), nn.Sigmoid() },
        { cost = "cross_entropy", dtype = "float64" }), set(40, 6, 3) end },
  { "dense + tanh, softmax and log-likelihood (fused)", function()
      return nn.Sequential({ nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 4), nn.Softmax() },
        { cost = "log_likelihood", dtype = "float64" }), set(40, 6, 4) end },
  { "dense + relu + identity, quadratic", function()
      return nn.Sequential({ nn.Linear(6, 7), nn.ReLU(), nn.Linear(7, 3), nn.Identity() },
        { cost = "quadratic", dtype = "float64" }), set(40, 6, 3) end },
  { "sigmoid output, quadratic (not fused)", function()
      return nn.Sequential({ nn.Linear(6, 4), nn.Tanh(), nn.Linear(4, 3), nn.Sigmoid() },
        { cost = "quadratic", dtype = "float64" }), set(40, 6, 3) end },
  { "softmax output, quadratic (softmax's own R-pass)", function()
      return nn.Sequential({ nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 4), nn.Softmax() },
        { cost = "quadratic", dtype = "float64" }), set(40, 6, 4) end },
  { "reshape and dropout (evaluation mode: the identity)", function()
      return nn.Sequential({ nn.Reshape(2, 3), nn.Dropout(0.4), nn.Reshape(6), nn.Linear(6, 5), nn.Sigmoid(),
        nn.Dropout(0.3), nn.Linear(5, 3), nn.Softmax() }, { cost = "log_likelihood", dtype = "float64" }),
        set(40, 6, 3) end },
  { "convolution, max and average pooling", function()
      return nn.Sequential({ nn.Conv2d(1, 3, 3), nn.Tanh(), nn.MaxPool(2), nn.Conv2d(3, 2, 2, { pad = 1 }),
        nn.AvgPool(2), nn.Reshape(8), nn.Linear(8, 3), nn.Softmax() },
        { input = { 1, 8, 8 }, cost = "log_likelihood", dtype = "float64" }), set(30, 64, 3) end },
  { "more samples than a chunk (450 in chunks of 200)", function()
      return nn.Sequential({ nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2), nn.Sigmoid() },
        { cost = "cross_entropy", dtype = "float64" }), set(450, 3, 2) end },
}

describe("Hessian-vector products (R-operator)", function()
  for _, case in ipairs(cases) do
    for _, lambda in ipairs { 0, 3.0 } do
      it("agree with central differences of the gradient: " .. case[1] .. ", L2 lambda " .. lambda, function()
        local model, data = case[2]()
        local f, w = lunet.optim.objective(model, data, { lambda = lambda })
        for trial = 1, 3 do
          lunet.seed(100 + trial)
          local v = lunet.randn(w:numel(), "float64")
          local hv = lunet.optim.hvp(model, data, v, { lambda = lambda })
          assert.are.equal("float64", hv:dtype())
          assert.is_true(hv:norm() > 1e-4)
          local num = fd_hvp(f, w, v, 1e-5)
          local r = rel(hv, num)
          assert(r < 1e-6, ("relative difference %.3g"):format(r))
        end
      end)
    end
  end

  it("add exactly (lambda/n) v on the weights for L2 and nothing for L1", function()
    local model, data = cases[1][2]()
    local v = lunet.randn(model:net():parameters():numel(), "float64")
    local plain = lunet.optim.hvp(model, data, v)
    local l2 = lunet.optim.hvp(model, data, v, { lambda = 8 })
    local l1 = lunet.optim.hvp(model, data, v, { lambda = 8, reg = "l1" })
    H.near(l1, plain, 0, "L1")
    -- parameter block: W1 (30), b1 (5), W2 (15), b2 (3)
    local diff = l2:sub(plain)
    H.near(diff:narrow(1, 1, 30), v:narrow(1, 1, 30):mul(8 / 40), 1e-12, "W1")
    H.near(diff:narrow(1, 31, 5), lunet.zeros(5, "float64"), 1e-12, "b1")
    H.near(diff:narrow(1, 36, 15), v:narrow(1, 36, 15):mul(8 / 40), 1e-12, "W2")
  end)

  it("is linear in v", function()
    local model, data = cases[2][2]()
    local n = model:net():parameters():numel()
    local u, v = lunet.randn(n, "float64"), lunet.randn(n, "float64")
    local hu, hv = lunet.optim.hvp(model, data, u), lunet.optim.hvp(model, data, v)
    local combo = lunet.optim.hvp(model, data, u:mul(2.5):add(v:mul(-0.75)))
    H.near(combo, hu:mul(2.5):add(hv:mul(-0.75)), 1e-12, "H(au + bv)")
    H.near(lunet.optim.hvp(model, data, lunet.zeros(n, "float64")), lunet.zeros(n, "float64"), 0, "H0")
  end)

  it("is the mean over the samples: does not depend on the chunking", function()
    local model, data = cases[8][2]()
    local v = lunet.randn(model:net():parameters():numel(), "float64")
    local all = lunet.optim.hvp(model, data, v)
    local a = { x = data.x:narrow(1, 1, 150), y = data.y:narrow(1, 1, 150) }
    local b = { x = data.x:narrow(1, 151, 300), y = data.y:narrow(1, 151, 300) }
    local parts = lunet.optim.hvp(model, a, v):mul(150 / 450):add(lunet.optim.hvp(model, b, v):mul(300 / 450))
    H.near(all, parts, 1e-12, "chunks")
  end)

  -- The R-pass buffers stay in the network between products (hessian.c):
  -- a product after others, on sets bigger and smaller than its own, must
  -- equal the first product of a fresh copy, bit for bit; the first case
  -- starts with an activation, which reads R{x} = 0 from the kept buffer.
  it("is the same after other products on other sets (kept buffers)", function()
    local builds = {
      function()
        return nn.Sequential({ nn.Tanh(), nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 3), nn.Sigmoid() },
          { input = { 6 }, cost = "cross_entropy", dtype = "float64" }), set(40, 6, 3)
      end,
      cases[6][2], cases[7][2], cases[8][2],
    }
    for i, build in ipairs(builds) do
      local model, data = build()
      local n = select(2, lunet.optim.objective(model, data)):numel()   -- builds the network
      local fresh = model:clone()
      lunet.seed(7)
      local v, u = lunet.randn(n, "float64"), lunet.randn(n, "float64")
      local rows = data.x:size(1)
      local bigger = { x = lunet.randn(3 * rows, data.x:size(2), "float64"), y = lunet.zeros(3 * rows) }
      for r = 1, 3 * rows do bigger.y[r] = data.y[(r - 1) % rows + 1] end
      local smaller = { x = data.x:narrow(1, 1, 3), y = data.y:narrow(1, 1, 3) }
      lunet.optim.hvp(model, bigger, u)
      lunet.optim.hvp(model, smaller, u:mul(-3))
      H.near(lunet.optim.hvp(model, data, v), lunet.optim.hvp(fresh, data, v), 0, "case " .. i)
    end
  end)

  it("leaves the parameters as they were", function()
    local model, data = cases[3][2]()
    local before = model:net():parameters():clone()
    lunet.optim.hvp(model, data, lunet.randn(before:numel(), "float64"), { lambda = 1 })
    H.near(model:net():parameters(), before, 0)
  end)

  it("runs a float32 network in float32 (close to float64's product)", function()
    local model, data = cases[1][2]()
    local v = lunet.randn(model:net():parameters():numel(), "float64")
    local exact = lunet.optim.hvp(model, data, v)
    local m32 = model:clone("float32")
    local hv32 = lunet.optim.hvp(m32, data, v:float())
    assert.are.equal("float32", hv32:dtype())
    assert(rel(hv32:double(), exact) < 1e-4)
    local hv64 = lunet.optim.hvp(m32, data, v)   -- v's dtype comes back
    assert.are.equal("float64", hv64:dtype())
  end)
end)

describe("lunet.optim.hessian", function()
  it("is symmetric, and its eigenpairs (linalg.eigh) satisfy H u = lambda u for the products", function()
    local model, data = cases[2][2]()
    local Hm = lunet.optim.hessian(model, data, { lambda = 2 })
    local n = model:net():parameters():numel()
    assert.are.same({ n, n }, Hm:shape())
    assert(Hm:sub(Hm:t()):abs():max() < 1e-10)
    local vals, vecs = lunet.linalg.eigh(Hm)
    for _, i in ipairs { 1, n // 2, n } do
      local u = vecs:select(2, i):contiguous()
      local hu = lunet.optim.hvp(model, data, u, { lambda = 2 })
      H.near(hu, u:mul(vals[i]), 1e-10, "eigenpair " .. i)
    end
    -- its columns are the products with unit vectors
    local e = lunet.zeros(n, "float64")
    e[7] = 1
    H.near(Hm:select(2, 7), lunet.optim.hvp(model, data, e, { lambda = 2 }), 1e-14)
  end)

  it("is positive semi-definite for a linear model with quadratic cost (and equals 2 X^T X / n)", function()
    local model = nn.Sequential({ nn.Linear(3, 1), nn.Identity() }, { cost = "quadratic", dtype = "float64" })
    lunet.seed(4)
    local data = { x = lunet.randn(20, 3, "float64"), y = lunet.randn(20, 1, "float64") }
    local Hm = lunet.optim.hessian(model, data)
    -- C = (1/2n) sum |w.x + b - y|^2: H = (1/n) [X 1]^T [X 1]
    local X1 = lunet.ones(20, 4, "float64")
    X1:narrow(2, 1, 3):copy(data.x)
    H.near(Hm, X1:t():matmul(X1):div(20), 1e-12)
    local vals = lunet.linalg.eigh(Hm)
    assert.is_true(vals[1] > 0)
  end)

  it("refuses networks above max parameters with a clear message", function()
    local model, data = cases[1][2]()
    assert.has_error(function() lunet.optim.hessian(model, data, { max = 10 }) end,
      "lunet.optim.hessian: the network has 53 parameters, more than max = 10: a full Hessian has N^2 values "
      .. "and takes N products; use hvp, or raise max")
    assert.has_error(function() lunet.optim.hessian(model, data, { max = 0 }) end,
      "lunet.optim.hessian: max must be a positive integer")
  end)
end)

describe("lunet.optim.newton_step", function()
  it("reaches the minimum of a quadratic objective in one step", function()
    local model = nn.Sequential({ nn.Linear(3, 2), nn.Identity() }, { cost = "quadratic", dtype = "float64" })
    lunet.seed(6)
    local data = { x = lunet.randn(30, 3, "float64"), y = lunet.randn(30, 2, "float64") }
    local f, w = lunet.optim.objective(model, data, { lambda = 0.5 })
    local d, cost, g = lunet.optim.newton_step(model, data, { lambda = 0.5 })
    local c0, g0 = f(w)
    assert.are.equal(c0, cost)
    H.near(g, g0, 0)
    local c1, g1 = f(w:add(d))
    assert.is_true(c1 < c0)
    assert(g1:norm() < 1e-12 * math.max(1, g0:norm()), "gradient after the step: " .. g1:norm())
  end)

  it("with damping solves (H + mu I) d = -g", function()
    local model, data = cases[1][2]()
    local d, _, g = lunet.optim.newton_step(model, data, { damping = 0.3 })
    local hd = lunet.optim.hvp(model, data, d):add(d:mul(0.3))
    H.near(hd, g:mul(-1), 1e-9)
  end)

  it("checks its options", function()
    local model, data = cases[1][2]()
    assert.has_error(function() lunet.optim.newton_step(model, data, { damping = -1 }) end,
      "lunet.optim.newton_step: damping must be a finite number >= 0")
    assert.has_error(function() lunet.optim.newton_step(model, data, { dampign = 1 }) end)
  end)
end)

describe("Hessian-vector products refuse", function()
  it("layers without an R-operator, naming them", function()
    local model = nn.Sequential({ nn.Linear(4, 3), nn.BatchNorm(), nn.Sigmoid() },
      { cost = "cross_entropy", dtype = "float64" })
    local data = set(10, 4, 3)
    local n = model:net():parameters():numel()
    assert.has_error(function() lunet.optim.hvp(model, data, lunet.zeros(n, "float64")) end,
      "lunet.optim.hvp: layer 2 (batchnorm) does not support Hessian-vector products (no R-operator)")
    local l2 = nn.Sequential({ nn.Conv2d(1, 2, 2), nn.L2Pool(2), nn.Reshape(2), nn.Linear(2, 2), nn.Softmax() },
      { input = { 1, 3, 3 }, cost = "log_likelihood", dtype = "float64" })
    local m = l2:net():parameters():numel()
    assert.has_error(function() lunet.optim.hvp(l2, set(5, 9, 2), lunet.zeros(m, "float64")) end,
      "lunet.optim.hvp: L2 pooling does not support Hessian-vector products (no R-operator); max and "
      .. "average pooling do")
  end)

  it("a v of the wrong size or kind, and closed tensors", function()
    local model, data = cases[1][2]()
    local n = model:net():parameters():numel()
    assert.has_error(function() lunet.optim.hvp(model, data, lunet.zeros(n + 1, "float64")) end,
      "lunet.optim.hvp: v must be a 1-d tensor of the network's 53 parameters, got shape (54)")
    assert.has_error(function() lunet.optim.hvp(model, data, lunet.zeros(1, n, "float64")) end)
    assert.has_error(function() lunet.optim.hvp(model, data, "v") end)
    local v = lunet.zeros(n, "float64")
    v:close()
    assert.has_error(function() lunet.optim.hvp(model, data, v) end, "lunet.optim.hvp: v has been closed")
    local x = data.x:clone()
    local closed = { x = x, y = data.y }
    x:close()
    assert.has_error(function() lunet.optim.hvp(model, closed, lunet.zeros(n, "float64")) end)
    assert.has_error(function() lunet.optim.hvp(model, data, lunet.zeros(n, "float64"), { lamda = 1 }) end)
    assert.has_error(function() lunet.optim.hvp(model, data, lunet.zeros(n, "float64"), { lambda = -1 }) end,
      "lunet.optim.hvp: lambda must be a finite number >= 0, got -1")
    local bad_labels = { x = data.x, y = labels(40, 5) }   -- label 4 of a 3-output network
    assert.has_error(function() lunet.optim.hvp(model, bad_labels, lunet.zeros(n, "float64")) end)
  end)

  it("in the core: dtype, size, closed and shared arguments", function()
    local model, data = cases[1][2]()
    local net = model:net()
    local n = net:parameters():numel()
    assert.has_error(function() core.hvp(net, data, lunet.zeros(n, "float32")) end,
      "hvp: v must be float64 like the network, not float32")
    assert.has_error(function() core.hvp(net, data, lunet.zeros(n - 1, "float64")) end,
      "hvp: v must be a contiguous 1-d tensor of the network's 53 parameters, not 52")
    assert.has_error(function() core.hvp(net, data, lunet.zeros(2 * n, "float64"):view(n, 2):select(2, 1)) end)
    local v = lunet.zeros(n, "float64")
    v:close()
    assert.has_error(function() core.hvp(net, data, v) end)
    assert.has_error(function() core.hvp(net, data, lunet.zeros(n, "float64"), { reg = "l3" }) end)
    -- an option table whose metamethod closes v: read before v is fetched
    local w = lunet.zeros(n, "float64")
    local o = setmetatable({}, { __index = function() w:close() end })
    assert.has_error(function() core.hvp(net, data, w, o) end)
  end)
end)
