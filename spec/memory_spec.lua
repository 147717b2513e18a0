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
end)
