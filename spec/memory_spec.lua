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
