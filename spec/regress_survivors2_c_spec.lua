-- Specs written against mutants of csrc/ that survived `make mutants`
-- (MUTANT_SEED=2, 2 December 2026): each names the mutant it kills and
-- checks a value or message worked out by hand.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"

local rss_mb = H.rss_mb

describe("survivors in csrc/ (seed 2)", function()
  -- csrc/net.c:16 (the input must have 1 to 3 sizes): an empty input shape
  -- reaches the C core through lunet.core and is refused there by name.
  it("refuses a network whose input has no sizes", function()
    local err = H.err(core.net_new, { { type = "act", act = "relu" } }, { input = {} })
    assert.matches("a network's input is 1 to 3 positive sizes per sample", err, 1, true)
  end)

  -- csrc/pool.c:138 (a stride of 0 means "the kernel size"): a 2x2 max pool
  -- given stride 0 over a 4x4 image steps by 2, so its output is 1x2x2.
  it("a pooling stride of 0 takes the kernel size", function()
    local net = core.net_new({ { type = "pool2d", pool = "max", kernel = 2, stride = 0 } }, { input = { 1, 4, 4 } })
    local l = net:layer(1)
    assert.are.equal(2, l.spec.stride)
    assert.are.same({ 1, 2, 2 }, l.output)
    local x = lunet.arange(16):reshape(1, 16)
    -- max of each 2x2 block of 0..15 laid out 4x4: 5, 7, 13, 15
    assert.are.same({ { { { 5, 7 }, { 13, 15 } } } }, net:forward(x):totable())
    net:close()
  end)

  -- csrc/tensor.c:280 (at most LN_MAXDIM = 8 dimensions): expanding to
  -- exactly 8 dimensions is allowed.
  it("expands a tensor to exactly 8 dimensions", function()
    local e = lunet.tensor({ 1, 2 }):expand(1, 1, 1, 1, 1, 3, 1, 2)
    assert.are.same({ 1, 1, 1, 1, 1, 3, 1, 2 }, e:shape())
    assert.are.same({ 0, 0, 0, 0, 0, 0, 0, 1 }, e:stride())
    assert.are.same({ 1, 2, 1, 2, 1, 2 }, e:contiguous():reshape(6):totable())
    assert.matches("too many dimensions (at most 8)",
      H.err(function() return lunet.ones(1, 2):expand(1, 1, 1, 1, 1, 1, 1, 1, 2) end), 1, true)
  end)

  -- csrc/layer.c:56 (a layer releases every parameter, the first included):
  -- closing a network must give back the storage of its weights. 60 networks
  -- with a 1024x1024 float32 weight (4 MB, written by the initialiser) would
  -- keep 240 MB if the first parameter's reference were never dropped.
  it("closing a network releases its first parameter's storage", function()
    if os.getenv("LUNET_ASAN") then return end  -- the sanitizer's allocator changes RSS
    collectgarbage()
    local before = rss_mb()
    if not before then return end
    for _ = 1, 60 do
      local net = core.net_new({ { type = "dense", n_in = 1024, n_out = 1024 } },
        { input = { 1024 }, dtype = "float32" })
      net:close()
    end
    collectgarbage()
    local grown = rss_mb() - before
    assert.is_true(grown < 100, ("RSS grew by %.0f MB"):format(grown))
  end)
  -- csrc/train.c:114 (one non-finite parameter is already divergence): a
  -- NaN bias of a unit behind a ReLU stays alone, since relu(NaN) passes 0
  -- on and its derivative there is 0, so every other parameter stays finite.
  it("reports training as diverged when a single parameter is NaN", function()
    local net = core.net_new({ { type = "dense", n_in = 2, n_out = 2 }, { type = "act", act = "relu" },
      { type = "dense", n_in = 2, n_out = 1 } }, { input = { 2 }, cost = "quadratic", dtype = "float64" })
    local b = net:param(1, "bias")
    b[1] = 0 / 0
    local o = core.optimizer(net, { eta = 0.1 })
    local d = { x = lunet.tensor({ { 1, 2 }, { 3, 4 } }):double(), y = lunet.tensor({ { 1 }, { 2 } }):double() }
    local err = H.err(core.train_epoch, net, o, d, 2, { progress = false })
    assert.matches("training diverged: 1 parameters are NaN or infinite", err, 1, true)
    assert.is_true(b[1] ~= b[1])
    net:close()
  end)
end)
