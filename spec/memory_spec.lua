local lunet = require "lunet"
local H = require "spec.helpers"

local rss_mb = H.rss_mb

describe("memory", function()
  it("the collector keeps up with big temporary tensors", function()
    if os.getenv("LUNET_ASAN") then return end  -- the sanitizer's allocator changes RSS
    collectgarbage()
    local before = rss_mb()
    if not before then return end
    -- 4,000 tensors of 4 MB each (16 GB in all), never explicitly freed
    for _ = 1, 4000 do
      local t = lunet.ones(1024, 1024)
      t:add_(1)
    end
    local grown = rss_mb() - before
    assert.is_true(grown < 1024, ("RSS grew by %.0f MB"):format(grown))
  end)

  -- mem.c keeps a few freed huge-page blocks for reuse; a closed data set's
  -- memory must still go back to the system, as glibc's mapped blocks do
  -- (a 100 MB tensor and eight of 30 MB had all stayed resident)
  it("gives the memory of closed big tensors back to the system", function()
    if os.getenv("LUNET_ASAN") then return end  -- the sanitizer's allocator changes RSS
    collectgarbage()
    local before = rss_mb()
    if not before then return end
    local big = lunet.ones(100 * 1024 * 1024 // 8, "float64")   -- 100 MB, touched
    assert.is_true(rss_mb() - before > 90)
    big:close()
    local kept = rss_mb() - before
    assert.is_true(kept < 20, ("%.0f MB of a closed 100 MB tensor stayed resident"):format(kept))
    local ts = {}
    for i = 1, 8 do ts[i] = lunet.ones(30 * 1024 * 1024 // 4, "float32") end   -- 8 x 30 MB
    for i = 1, 8 do ts[i]:close() end
    kept = rss_mb() - before
    assert.is_true(kept < 100, ("%.0f MB of eight closed 30 MB tensors stayed resident"):format(kept))
  end)
end)

-- OpenBLAS retries a failed mapping of its work buffer forever, so a first
-- product after the address space ran out used to hang at 100% CPU; the
-- buffer is now made when lunet loads (blas.c)
describe("memory running out before the first product", function()
  local function run(limit_kb, code)
    local script = H.tmpname(".lua")
    H.write(script, code)
    local p = io.popen(("env -u LD_PRELOAD sh -c '. bench/paths.sh && ulimit -v %d && timeout 60 lua5.4 %s; "
      .. "echo \"rc=$?\"' 2>&1"):format(limit_kb, script))
    local out = p:read("a")
    p:close()
    os.remove(script)
    return out
  end

  it("a product after the memory is used up runs or fails with an error, never hangs", function()
    if os.getenv("LUNET_ASAN") then return end   -- the sanitizer's shadow memory cannot map under ulimit -v
    local out = run(800000, [[
      local lunet = require "lunet"
      local hoard = {}
      for _, mb in ipairs { 64, 16, 4, 1 } do   -- take what is left, down to the last megabyte
        while true do
          local ok, t = pcall(lunet.zeros, mb * 131072, "float64")
          if not ok then break end
          hoard[#hoard + 1] = t
        end
      end
      local a = lunet.ones(200, 200, "float64")
      local ok, c = pcall(lunet.matmul, a, a)
      print(ok and ("ok %g"):format(c[1][1]) or ("error " .. tostring(c)))
    ]])
    assert.is_truthy(out:match("ok 200\n") or out:match("error [^\n]*out of memory"), out)
    assert.is_truthy(out:match("rc=0"), out)
  end)

  it("threads that products at once would need more OpenBLAS buffers for are refused, not left to hang", function()
    if os.getenv("LUNET_ASAN") then return end
    -- room for the loading thread's buffer, not for a second one
    local out = run(300000, [[
      local lunet = require "lunet"
      print("default", lunet.threads())
      local ok, err = pcall(lunet.threads, 2)
      print(ok and "two" or ("error " .. tostring(err)), lunet.threads())
    ]])
    assert.is_truthy(out:match("default\t1\n"), out)
    assert.is_truthy(out:match("error [^\n]*OpenBLAS's work buffers[^\n]*\t1\n"), out)
    assert.is_truthy(out:match("rc=0"), out)
  end)

  it("too little address space for OpenBLAS's buffer is an error at require, not a hang", function()
    if os.getenv("LUNET_ASAN") then return end
    local out = run(150000, [[
      local ok, err = pcall(require, "lunet")
      print(ok and "loaded" or ("error " .. tostring(err)))
    ]])
    assert.is_truthy(out:match("rc=0"), out)
    assert.is_truthy(out:match("loaded") or out:match("error [^\n]*OpenBLAS's work buffers"), out)
  end)
end)
