-- File names with a zero byte, sixth round: C stops at the zero byte, so
-- "run\0.ckpt" had written (or read) the file "run" in silence. Every
-- binding that takes a file name refuses them.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"

describe("a file name with a zero byte", function()
  local dir, short
  before_each(function()
    dir = H.tmpname("")
    os.remove(dir)
    short = dir .. "-short"
    os.remove(short)
  end)
  after_each(function() os.remove(short) end)

  local function refused(f, ...)
    assert.matches("a file name must not contain a zero byte", H.err(f, ...))
    assert.is_nil(io.open(short, "rb"), "a file was written under the shorter name")
  end

  it("is refused by every binding that writes, before anything is written", function()
    local bad = short .. "\0.tail"
    local m = lunet.Network { 2, 2 }
    refused(m.save, m, bad)
    refused(core.save_npy, bad, lunet.zeros(2))
    local net = m:net()
    local o = core.optimizer(net, { eta = 0.1 })
    refused(core.checkpoint_save, bad, net, o, "root t:\n")
    local set = { x = lunet.rand(4, 2), y = lunet.tensor({ 0, 1, 0, 1 }) }
    for _, key in ipairs { "checkpoint", "resume" } do
      local err = H.err(lunet.train.sgd, m, set, { epochs = 1, eta = 0.1, verbose = false, progress = false,
        [key] = bad })
      assert.matches(key .. " must be a file name without a zero byte", err)
      assert.is_nil(io.open(short, "rb"))
    end
  end)

  it("is refused by every binding that reads, though the shorter name exists", function()
    local m = lunet.Network { 2, 2 }
    m:save(short)
    local bad = short .. "\0.tail"
    local net = m:net()
    local o = core.optimizer(net, { eta = 0.1 })
    for _, call in ipairs { function() return lunet.load(bad) end, function() return core.load_npy(bad) end,
      function() return core.load_idx(bad) end, function() return core.read_file(bad) end,
      function() return core.md5_file(bad) end, function() return core.file_kind(bad) end,
      function() return core.checkpoint_text(bad) end, function() return core.checkpoint_load(bad, net, o) end } do
      assert.matches("a file name must not contain a zero byte", H.err(call))
    end
  end)
end)
