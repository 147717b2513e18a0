-- The worker threads' hand-out of parts (parallel.c): the caller runs part
-- 0, each worker on time runs its own part, and parts whose worker is late
-- (its core busy elsewhere, simulated by the _parallel_parts hook) are run
-- by whoever is free, so the call never waits for a late worker to start;
-- a training run gives the same numbers either way.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"
local nn = lunet.nn

describe("parallel parts", function()
  local threads
  before_each(function() threads = lunet.threads() end)
  after_each(function() lunet.threads(threads) end)

  it("runs part 0 on the caller and every part exactly once", function()
    lunet.threads(2)
    for _ = 1, 200 do
      local on = core._parallel_parts(2)
      assert.are.equal(2, #on)
      assert.is_true(on[1])
    end
    lunet.threads(1)
    assert.are.same({ true }, core._parallel_parts(1))
  end)

  it("runs a late worker's part on the caller and returns before the worker starts", function()
    lunet.threads(3)
    local t0 = core.clock()
    local on = core._parallel_parts(3, 300000)   -- workers 0.3 s late
    local took = core.clock() - t0
    assert.are.same({ true, true, true }, on)
    assert.is_true(took < 0.3, ("the call waited %.3f s for late workers"):format(took))
    -- and the late workers, waking into a call that has returned, take nothing from the next one
    on = core._parallel_parts(3)
    assert.is_true(on[1])
  end)

  it("refuses part counts beyond the threads and bad delays", function()
    lunet.threads(2)
    H.refused("parts must be 1..2", core._parallel_parts, 3)
    H.refused("parts must be 1..2", core._parallel_parts, 0)
    H.refused("late_us must be", core._parallel_parts, 2, -1)
    H.refused("late_us must be", core._parallel_parts, 2, 2 ^ 32 + 5)   -- not narrowed to 5 first
    H.refused("parts", core._parallel_parts, "two")
    H.refused("number", core._parallel_parts, 2, "soon")
  end)

  it("leaves OpenBLAS without threads of its own unless the user asks for them", function()
    if (os.getenv("LD_PRELOAD") or ""):match("tsan") then return end   -- no shell under ThreadSanitizer
    -- the process's threads after loading lunet on one thread: OpenBLAS's
    -- server threads would be extra tasks (and once spun on sched_yield)
    local function tasks(env)
      local p = io.popen((os.getenv("LUNET_ASAN") and "env " or "env -u LD_PRELOAD ")
        .. "-u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS " .. env .. " LUNET_THREADS=1 "
        .. "LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./?.so;;' lua5.4 -e '"
        .. "local lunet = require(\"lunet\"); lunet.Network({ 4, 3 }):forward(lunet.zeros(5, 4)); "
        .. "local p = io.open(\"/proc/self/status\"); for l in p:lines() do "
        .. "local t = l:match(\"^Threads:%s*(%d+)\"); if t then print(t) end end; "
        .. "print(os.getenv(\"OPENBLAS_NUM_THREADS\"))' 2>&1")
      local out = p:read("a")
      p:close()
      return tonumber(out:match("^(%d+)")), out
    end
    local n, out = tasks("")
    assert.are.equal(1, n, out)
    assert.matches("\nnil\n$", out)   -- and the environment that programs started from lunet see is as it was
    if core.cpu_count and core.cpu_count() < 2 then return end
    n, out = tasks("OPENBLAS_NUM_THREADS=2")   -- the user's choice stands
    assert.is_true(n and n >= 2, out)
    assert.matches("\n2\n$", out)
  end)

  it("trains to the same parameters with late workers as with workers on time", function()
    local function run(late)
      lunet.threads(2)
      lunet.seed(151)
      local model = nn.Sequential({ nn.Conv2d(1, 4, 5), nn.MaxPool(2), nn.ReLU(), nn.Reshape(4 * 12 * 12),
        nn.Linear(4 * 12 * 12, 3), nn.Softmax() }, { input = { 1, 28, 28 }, cost = "log_likelihood" })
      local x = lunet.rand(20, 1, 28, 28)
      local y = lunet.zeros(20, 3)
      for i = 1, 20 do y[{ i, i % 3 + 1 }] = 1 end
      if late then core._parallel_parts(2, 200000) end   -- the worker wakes late into the training
      lunet.train.sgd(model, { x = x, y = y }, { epochs = 1, batch = 10, eta = 0.05, verbose = false,
        progress = false })
      return model:flat_parameters():clone()
    end
    assert.are.same(run(false):totable(), run(true):totable())
  end)
end)
