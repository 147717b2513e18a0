-- Limits checked at their exact edges: the last value a function takes and
-- the first one it refuses (mutants that move a bound by one survived
-- specs that only tried values far from it).
local lunet = require "lunet"
local H = require "spec.helpers"

describe("limits at their edges (regression)", function()
  it("expand takes 64 transforms in all and refuses the 65th", function()
    local data = { x = lunet.rand(3, 4), y = lunet.tensor { 0, 1, 2 } }
    -- the image and its 4 shifts leave room for 59 rotations
    local e = lunet.data.expand(data, { rotations = 59 })
    assert.are.equal(3 * 64, e.n)
    assert.are.equal(64, #e.expand.transforms)
    local msg = H.err(lunet.data.expand, data, { rotations = 60 })
    assert.truthy(msg:find("rotations must be an integer from 0 to 59", 1, true), msg)
    -- without shifts the image leaves room for 63
    assert.are.equal(3 * 64, lunet.data.expand(data, { shifts = false, rotations = 63 }).n)
    msg = H.err(lunet.data.expand, data, { shifts = false, rotations = 64 })
    assert.truthy(msg:find("rotations must be an integer from 0 to 63", 1, true), msg)
    -- the last rotation's samples can be drawn
    local s = lunet.data.sample(e, { 3 * 64, 1 })
    assert.are.same({ 2, 4 }, s:shape())
  end)
end)

-- ok(f, ...) asserts the call succeeds; bad(pattern, f, ...) that it fails
-- with a message holding pattern (plain text).
local function ok(f, ...)
  local res = table.pack(pcall(f, ...))
  assert(res[1], tostring(res[2]))
  return table.unpack(res, 2, res.n)
end
local function bad(pattern, f, ...)
  local msg = H.err(f, ...)
  assert(msg:find(pattern, 1, true), ("expected %q in: %s"):format(pattern, msg))
end

describe("options at the edges of their ranges (regression)", function()
  local nn = lunet.nn
  local function data(n)
    lunet.seed(1)
    return { x = lunet.rand(n, 3), y = lunet.tensor(H.map({ 0, 1, 0, 1, 1, 0, 1, 0 }, function(v) return v end))
      :narrow(1, 1, n) }
  end

  it("lunet.train.sgd: epochs, batch and checkpoint_every of 1, lambda of 0; one below refused", function()
    local net = lunet.Network { 3, 2 }
    ok(lunet.train.sgd, net, data(4),
      { epochs = 1, batch = 1, eta = 0.1, lambda = 0, checkpoint_every = 1, verbose = false, progress = false })
    bad("epochs must be a positive integer", lunet.train.sgd, net, data(4), { epochs = 0, eta = 0.1 })
    bad("mini-batch size must be a positive integer", lunet.train.sgd, net, data(4),
      { epochs = 1, batch = 0, eta = 0.1 })
    bad("checkpoint_every must be a positive integer", lunet.train.sgd, net, data(4),
      { epochs = 1, eta = 0.1, checkpoint_every = 0 })
    bad("lambda must be a finite number >= 0", lunet.train.sgd, net, data(4),
      { epochs = 1, eta = 0.1, lambda = -1e-300 })
    bad("lambda must be a finite number >= 0", lunet.train.sgd, net, data(4),
      { epochs = 1, eta = 0.1, lambda = math.huge })
    bad("eta must be a finite positive number", lunet.train.sgd, net, data(4), { epochs = 1, eta = 0 })
    -- float32: the smallest eta is one float32 does not round to 0 (hostile5_optim_spec)
    ok(lunet.train.sgd, net, data(4), { epochs = 1, eta = 1e-37, verbose = false, progress = false })
  end)

  it("momentum schedules: values just inside (0, 1) taken, the ends refused", function()
    for _, mu in ipairs { 1e-12, 1 - 1e-12 } do
      assert.are.equal(mu, lunet.train.momentum_at(function() return mu end, 1))
    end
    for _, mu in ipairs { 0, 1 } do
      bad("must be a number in (0, 1)", lunet.train.momentum_at, function() return mu end, 1)
    end
    ok(lunet.train.sutskever, 1 - 1e-12, 1)
    bad("mu_max must be in (0, 1)", lunet.train.sutskever, 1, 10)
    bad("mu_max must be in (0, 1)", lunet.train.sutskever, 0, 10)
    bad("updates per epoch must be a positive integer", lunet.train.sutskever, 0.9, 0)
    -- 0.5 for the first 250 updates, then 0.75 up to 750, capped at mu_max
    local s = lunet.train.sutskever(0.999, 250)
    assert.are.equal(0.5, s(1))
    assert.are.equal(0.75, s(2))
    assert.is_true(math.abs(s(3) - (1 - 1 / 6)) < 1e-15)
    assert.are.equal(0.875, s(4))
    assert.are.equal(0.8, lunet.train.sutskever(0.8, 250)(4))
  end)

  it("layers: sizes of 1, zero padding, dropout of 0, batch-norm momentum of 1; one step out refused", function()
    ok(nn.Linear, 1, 1)
    bad("positive integer", nn.Linear, 0, 1)
    ok(nn.Conv2d, 1, 1, 1, { pad = 0 })
    bad("pad must be an integer >= 0", nn.Conv2d, 1, 1, 1, { pad = -1 })
    ok(nn.Dropout, 0)
    bad("Dropout", nn.Dropout, 1)
    ok(nn.BatchNorm, { momentum = 1, eps = 1e-300 })
    bad("BatchNorm", nn.BatchNorm, { momentum = 0 })
    bad("BatchNorm", nn.BatchNorm, { momentum = 1 + 1e-12 })
    bad("eps must be > 0", nn.BatchNorm, { eps = 0 })
    ok(nn.Linear, 2, 2, { init = { w_std = 0, b_std = 0 } })
    bad("init.w_std must be a finite number >= 0", nn.Linear, 2, 2, { init = { w_std = -1e-300 } })
  end)

  it("Sequential inputs of one to three dimensions of size 1 or more", function()
    ok(nn.Sequential, { nn.Linear(1, 1) }, { input = { 1 } })
    ok(nn.Sequential, { nn.Conv2d(1, 1, 1) }, { input = { 1, 1, 1 } })
    bad("input", nn.Sequential, { nn.Linear(1, 1) }, { input = { 1, 1, 1, 1 } })
    bad("input", nn.Sequential, { nn.Linear(1, 1) }, { input = {} })
    bad("input", nn.Sequential, { nn.Linear(1, 1) }, { input = { 0 } })
  end)

  it("Network of two layer sizes of 1", function()
    local net = ok(lunet.Network, { 1, 1 })
    assert.are.same({ 1, 1 }, net.sizes)
    bad("Network", lunet.Network, { 1, 0 })
  end)

  it("network3 blocks: sizes of 1, p_dropout of 0 (no Dropout layer) up to just below 1", function()
    local n3 = lunet.network3
    local plain = ok(n3.FullyConnectedLayer, { n_in = 1, n_out = 1, p_dropout = 0 })
    local dropped = ok(n3.FullyConnectedLayer, { n_in = 1, n_out = 1, p_dropout = 1e-9 })
    assert.are.equal(#plain + 1, #dropped)
    bad("p_dropout must be in [0, 1)", n3.FullyConnectedLayer, { n_in = 1, n_out = 1, p_dropout = 1 })
    bad("n_in must be a positive integer", n3.FullyConnectedLayer, { n_in = 0, n_out = 1 })
    ok(n3.Network, { n3.SoftmaxLayer { n_in = 1, n_out = 2 } }, 1)
  end)

  it("gradcheck: n of 1, lambda of 0, eps just inside (0, 1)", function()
    local m = lunet.Network({ 2, 2 }, { cost = "quadratic" })
    local x, y = lunet.rand(2, 2, "float64"), lunet.tensor { 0, 1 }
    ok(lunet.gradcheck, m, x, y, { n = 1, lambda = 0, eps = 0.5 })
    bad("n must be a positive integer", lunet.gradcheck, m, x, y, { n = 0 })
    bad("eps must be a number in (0, 1)", lunet.gradcheck, m, x, y, { eps = 1 })
    bad("eps must be a number in (0, 1)", lunet.gradcheck, m, x, y, { eps = 0 })
    bad("lambda must be a number >= 0", lunet.gradcheck, m, x, y, { lambda = -1e-300 })
  end)

  it("the Hessian of a network with exactly max parameters, and not one more", function()
    local m = lunet.Network({ 2, 2 }, { cost = "quadratic" })   -- 4 weights and 2 biases
    local d = { x = lunet.rand(3, 2), y = lunet.tensor { 0, 1, 1 } }
    local Hm = ok(lunet.optim.hessian, m, d, { max = 6 })
    assert.are.same({ 6, 6 }, Hm:shape())
    bad("more than max = 5", lunet.optim.hessian, m, d, { max = 5 })
    bad("max must be a positive integer", lunet.optim.hessian, m, d, { max = 0 })
    ok(lunet.optim.newton_step, m, d, { damping = 0 })
    bad("damping must be a finite number >= 0", lunet.optim.newton_step, m, d, { damping = -1e-300 })
  end)

  it("ensembles of one network", function()
    local nets = ok(lunet.ensemble.train, 1, function() return lunet.Network { 2, 2 } end)
    assert.are.equal(1, #nets)
    bad("k must be a positive integer", lunet.ensemble.train, 0, function() return lunet.Network { 2, 2 } end)
  end)

  it("expand: images of one row, max_degrees of 0, one sample", function()
    local d1 = { x = lunet.rand(1, 4), y = lunet.tensor { 0 } }
    assert.are.equal(5, ok(lunet.data.expand, d1, { shape = { 1, 4 } }).n)
    bad("shape must be {h, w}", lunet.data.expand, d1, { shape = { 0, 4 } })
    ok(lunet.data.expand, { x = lunet.rand(2, 4), y = lunet.tensor { 0, 1 } }, { rotations = 1, max_degrees = 0 })
    bad("max_degrees must be a finite number >= 0", lunet.data.expand, d1, { max_degrees = -1e-300 })
    bad("max_degrees must be a finite number >= 0", lunet.data.expand, d1, { max_degrees = math.huge })
  end)
end)

describe("printing at its thresholds (regression)", function()
  local function lines(t) return tostring(t) end
  it("summarises tensors of more than 1000 elements, along dimensions of more than 6", function()
    assert.is_nil(lines(lunet.zeros(1000)):find("...", 1, true))
    assert.truthy(lines(lunet.zeros(1001)):find("...", 1, true))
    local function rows(t)
      local n = 0
      for l in lines(t):gmatch("[^\n]+") do
        if l:find("0", 1, true) and not l:find("Tensor", 1, true) then n = n + 1 end
      end
      return n
    end
    assert.are.equal(6, rows(lunet.zeros(6, 200)))   -- all six rows
    assert.are.equal(6, rows(lunet.zeros(7, 200)))   -- 3 + "..." + 3
    assert.truthy(lines(lunet.zeros(7, 200)):find("\n *%.%.%.[^\n]*\n"))
    assert.is_nil(lines(lunet.zeros(6, 200)):find("\n *%.%.%.[^\n]*\n"))
  end)
  it("switches to exponents at 1e5 and below 1e-4", function()
    local big = lines(lunet.tensor({ 99999.5, 1 }, "float64"))
    assert.is_nil(big:find("e+", 1, true), big)
    assert.truthy(lines(lunet.tensor({ 1e5, 1.5 }, "float64")):find("e+", 1, true))
    assert.is_nil(lines(lunet.tensor({ 1e-4, 1.5 }, "float64")):find("e-", 1, true))
    assert.truthy(lines(lunet.tensor({ 0.99e-4, 1.5 }, "float64")):find("e-", 1, true))
  end)
end)
