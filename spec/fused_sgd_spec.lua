-- Plain SGD folded into the dense layers' backward passes (train.c,
-- dense.c: W <- keep W - eta dy^T x as one product) against the general
-- path (gradients cleared, accumulated, then the optimiser's step): the
-- same parameters to rounding after whole epochs, in float64 and float32,
-- with and without L2, mini-batches that do not divide the set; and what is
-- not folded (momentum, L1, a network with a convolution) stays exactly
-- the general path. The last mini-batch of each call takes the general
-- path, so the gradients stay readable after training.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn

local QUIET = { progress = false }

local function mlp(dtype, sizes)
  lunet.seed(21)
  return lunet.Network(sizes or { 13, 7, 3 }, { dtype = dtype })
end

local function data(n, n_in, dtype)
  lunet.seed(22)
  local y = lunet.zeros(n)
  for i = 1, n do y[i] = (i * 7) % 3 end
  return { x = lunet.randn(n, n_in, dtype or "float32"), y = y }
end

-- parameters after `epochs` epochs from the same start, with folding on or off
local function train(make, d, batch, opts, fold, epochs)
  local before = core._fuse_sgd(fold)
  local ok, res, updates = pcall(function()
    local model = make()
    local net = model:net()
    local o = core.optimizer(net, opts)
    lunet.seed(23)
    lunet.profile(true)
    for _ = 1, epochs or 2 do core.train_epoch(net, o, d, batch, QUIET) end
    local updates = 0
    for _, r in ipairs(lunet.profile_report().rows) do
      if r.phase == "update" then updates = r.calls end
    end
    lunet.profile(false)
    return net:parameters():totable(), updates
  end)
  core._fuse_sgd(before)
  assert(ok, res)
  return res, updates
end

local function max_rel(a, b)
  local worst = 0
  for i = 1, #a do worst = math.max(worst, math.abs(a[i] - b[i]) / math.max(1, math.abs(a[i]))) end
  return worst
end

describe("plain SGD folded into dense layers", function()
  for _, dtype in ipairs { "float64", "float32" } do
    local tol = dtype == "float64" and 1e-12 or 2e-5
    it(dtype .. ": the same parameters to rounding as the general path", function()
      local d = data(53, 13, dtype)
      for _, c in ipairs {
        { batch = 10, opts = { eta = 0.5, reg = "l2", lambda = 5, n = 53 } },
        { batch = 7, opts = { eta = 0.3 } },
        { batch = 53, opts = { eta = 1.0, reg = "l2", lambda = 0.1, n = 53 } },
        { batch = 1, opts = { eta = 0.05, reg = "l2", lambda = 2, n = 53 } },
      } do
        local make = function() return mlp(dtype) end
        local folded, fsteps = train(make, d, c.batch, c.opts, true)
        local general, gsteps = train(make, d, c.batch, c.opts, false)
        local moved = max_rel(folded, mlp(dtype):net():parameters():totable())
        assert.is_true(moved > 1e-3, "training moved the parameters")
        local diff = max_rel(folded, general)
        assert.is_true(diff <= tol, ("%s batch %d: folded and general differ by %g"):format(dtype, c.batch, diff))
        -- the fold is what ran: the optimiser's own step only for the last
        -- mini-batch of each epoch (which leaves its gradients readable)
        local per_epoch = (53 + c.batch - 1) // c.batch
        assert.equal(2, fsteps)
        assert.equal(2 * per_epoch, gsteps)
      end
    end)
  end

  it("leaves momentum, L1 and networks with other trained layers on the general path, exactly", function()
    local d = data(40, 13)
    for _, opts in ipairs {
      { eta = 0.2, momentum = 0.9 },
      { eta = 0.2, reg = "l1", lambda = 1, n = 40 },
    } do
      local make = function() return mlp("float32") end
      local general, gsteps = train(make, d, 8, opts, false)
      local folded, fsteps = train(make, d, 8, opts, true)
      assert.same(general, folded)
      assert.equal(10, gsteps)
      assert.equal(10, fsteps)
    end
    local dc = { x = lunet.randn(20, 1, 6, 6), y = data(20, 1).y }
    local conv = function()
      lunet.seed(24)
      return nn.Sequential({ nn.Conv2d(1, 2, 3), nn.Sigmoid(), nn.Linear(32, 3), nn.Sigmoid() },
        { input = { 1, 6, 6 }, cost = "cross_entropy" })
    end
    local opts = { eta = 0.2, reg = "l2", lambda = 1, n = 20 }
    local general, gsteps = train(conv, dc, 6, opts, false)
    local folded, fsteps = train(conv, dc, 6, opts, true)
    assert.same(general, folded)
    assert.equal(gsteps, fsteps)
  end)
end)
