-- The profiler (lunet.profile, LUNET_PROFILE=1): which phases it reports
-- and how they nest. Structural checks only: no figure here depends on how
-- fast the machine is.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn

local function small_convnet()
  lunet.seed(61)
  local model = nn.Sequential({ nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool(2), nn.Conv2d(3, 4, 2), nn.Reshape(16),
    nn.Linear(16, 3), nn.Softmax() }, { input = { 1, 8, 8 }, cost = "log_likelihood" })
  local x = lunet.rand(40, 1, 8, 8)
  local y = lunet.zeros(40, 3)
  for i = 1, 40 do y[{ i, i % 3 + 1 }] = 1 end
  return model, { x = x, y = y }
end

local function index(rows)
  local t = {}
  for _, r in ipairs(rows) do
    t[r.layer] = t[r.layer] or {}
    t[r.layer][r.phase] = r
  end
  return t
end

describe("profile", function()
  local threads, level
  -- im2col + GEMM's phases: the written-out kernels (conv_direct.c,
  -- conv_flat.c) time only their products
  before_each(function()
    threads, level = lunet.threads(), core._conv_level()
    core._conv_level(0)
  end)
  after_each(function()
    lunet.profile(false)
    lunet.threads(threads)
    core._conv_level(level)
  end)

  it("reports every phase of an epoch per layer, nested inside the epoch", function()
    lunet.threads(1)
    local model, data = small_convnet()
    local optim = core.optimizer(model:net(), { eta = 0.1 })
    lunet.profile(true)
    assert.is_true(lunet.profile_enabled())
    core.train_epoch(model:net(), optim, data, 10, { progress = false })
    local rep = lunet.profile_report()
    local t = index(rep.rows)
    assert.are.equal(1, rep.epochs)
    for _, phase in ipairs { "gather", "zero_grad", "cost", "update" } do
      assert.are.equal(4, t[0][phase].calls, phase)   -- 40 samples in mini-batches of 10
    end
    local kinds = { "conv2d", "activation", "pool2d", "conv2d", "reshape", "dense", "softmax" }
    for i, kind in ipairs(kinds) do
      assert.are.equal(kind, t[i].forward.kind, "layer " .. i)
      assert.are.equal(4, t[i].forward.calls)
    end
    -- the fused softmax/log-likelihood cost starts the backward pass below the softmax
    assert.is_nil(t[7].backward)
    for i = 1, 6 do assert.are.equal(4, t[i].backward.calls, "layer " .. i) end
    -- inside the convolutions: im2col and the product forward, col2im backward (not for the first layer)
    for _, i in ipairs { 1, 4 } do
      assert.are.equal(4, t[i].im2col.calls)
      assert.is_true(t[i].products.calls >= 8)
      assert.is_true(t[i].layout.calls >= 8)
    end
    assert.is_nil(t[1].col2im)
    assert.are.equal(4, t[4].col2im.calls)
    assert.is_true(t[6].products.calls >= 8)   -- dense: forward, dW, dx
    -- nesting: on one thread a layer's pieces lie inside its passes, and the
    -- phases of a step inside the epoch
    local function inner(i)
      local s = 0
      for _, p in ipairs { "im2col", "col2im", "products", "layout" } do s = s + (t[i][p] and t[i][p].seconds or 0) end
      return s
    end
    for _, i in ipairs { 1, 4, 6 } do
      assert.is_true(inner(i) <= t[i].forward.seconds + t[i].backward.seconds, "layer " .. i)
    end
    assert.is_true(rep.accounted > 0 and rep.accounted <= rep.epoch)
    local sum = 0
    for _, r in ipairs(rep.rows) do
      assert.is_true(r.seconds >= 0)
      if r.layer == 0 and r.phase ~= "epoch" or r.phase == "forward" or r.phase == "backward" then
        sum = sum + r.seconds
      end
    end
    assert.is_true(math.abs(sum - rep.accounted) <= 1e-9 * (1 + sum))
    local text = lunet.profile_text()
    assert.matches("profile of 1 epoch", text)
    assert.matches("\n1%s+conv2d%s+forward", text)
    assert.matches("\n%s+im2col", text)
    assert.matches("\n%-%s+network%s+update", text)
  end)

  it("records nothing when off, and starts afresh when turned on", function()
    local model, data = small_convnet()
    local optim = core.optimizer(model:net(), { eta = 0.1 })
    lunet.profile(false)
    core.train_epoch(model:net(), optim, data, 10, { progress = false })
    assert.are.same({}, lunet.profile_report().rows)
    lunet.profile(true)
    core.train_epoch(model:net(), optim, data, 10, { progress = false })
    core.train_epoch(model:net(), optim, data, 20, { progress = false })
    assert.are.equal(2, lunet.profile_report().epochs)
    lunet.profile(true)
    assert.are.same({}, lunet.profile_report().rows)
    assert.matches("no training epoch", lunet.profile_text())
  end)

  it("times the calling thread's share of a layer split over threads", function()
    lunet.threads(2)
    local model, data = small_convnet()
    local optim = core.optimizer(model:net(), { eta = 0.1 })
    lunet.profile(true)
    core.train_epoch(model:net(), optim, data, 10, { progress = false })
    local t = index(lunet.profile_report().rows)
    assert.are.equal(4, t[1].im2col.calls)   -- once per pass: part 0's, not every thread's
    assert.are.equal(4, t[4].col2im.calls)
  end)

  it("is printed by the trainer after each epoch, and refuses a non-boolean", function()
    local model, data = small_convnet()
    local lines = {}
    local print0 = print
    _G.print = function(s) lines[#lines + 1] = tostring(s) end
    lunet.profile(true)
    local ok, err = pcall(lunet.train.sgd, model, data, { epochs = 2, batch = 10, eta = 0.1, verbose = false,
      progress = false })
    _G.print = print0
    assert(ok, err)
    local n = 0
    for _, l in ipairs(lines) do if l:match("^profile of 1 epoch") then n = n + 1 end end
    assert.are.equal(2, n)
    assert.has_error(function() lunet.profile("yes") end, "lunet.profile(on): on must be true or false")
  end)

  it("is switched on by LUNET_PROFILE=1", function()
    if (os.getenv("LD_PRELOAD") or ""):match("tsan") then return end   -- no shell under ThreadSanitizer
    local p = io.popen((os.getenv("LUNET_ASAN") and "env " or "env -u LD_PRELOAD ")
      .. "LUNET_PROFILE=1 LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./?.so;;' "
      .. "lua5.4 -e 'print(require(\"lunet\").profile_enabled())' 2>&1")
    local out = p:read("a")
    p:close()
    assert.matches("^true", out)
  end)
end)
