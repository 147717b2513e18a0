-- Behaviours that the held-out mutation run of seed 6 found unchecked (its
-- figure was measured before these specs existed): a label filter over a
-- view stops at the view's end, the skinny-kernel test hook leaves every
-- dispatch level as it found it, the readline module's default history
-- length is 1,000, LUNET_THREADS is a decimal number, a cost set before the
-- network is built is kept, and download_mnist's file table is checked
-- condition by condition.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"

describe("held-out seed 6 behaviours", function()
  it("data.filter over a view of the labels reads no label past the view's end", function()
    -- the element just past each view is a selected class: a loop that ran
    -- one step too far would count (and take) a sample that is not there
    for _, dtype in ipairs({ "float32", "float64" }) do
      local labels = lunet.tensor({ 1, 2, 1, 1, 1 }, dtype)
      local images = lunet.tensor({ { 10 }, { 20 }, { 30 }, { 40 }, { 50 } }, dtype)
      local set = { x = images:narrow(1, 1, 3), y = labels:narrow(1, 1, 3) }
      local only = lunet.data.filter(set, { 1 })
      assert.are.same({ 2, 1 }, only.x:shape())
      assert.are.same({ 10, 30 }, only.x:reshape(2):totable())
      assert.are.same({ 1, 1 }, only.y:totable())
    end
  end)

  it("the skinny kernels' test hook leaves the dispatch level it found, whatever the level asked", function()
    local start = core._skinny_level()
    local code = { none = 0, avx2 = 1, avx512 = 2 }
    local a, b = lunet.ones(3, 4, "float64"), lunet.ones(2, 4, "float64")
    for level = 0, 2 do
      local set = core._skinny_level(level)
      for want = 0, 2 do
        local c = lunet.zeros(3, 2, "float64")
        core._skinny("nt", want, a, b, c)
        assert.are.equal(4, c:max())
        assert.are.equal(set, (core._skinny_level()), ("level %d after a call at %d"):format(level, want))
        core._skinny("tn", want, lunet.ones(3, 2, "float64"), lunet.ones(3, 4, "float64"), lunet.zeros(2, 4, "float64"))
        assert.are.equal(set, (core._skinny_level()))
      end
    end
    core._skinny_level(code[start])
    assert.are.equal(start, (core._skinny_level()))
  end)

  it("the readline module trims its history file as with a length of 1,000 when no length is given", function()
    local ok, rl = pcall(require, "lunet.readline")
    assert.is_true(ok, rl)
    local function file_after(max)
      local path = H.tmpname(".history")
      os.remove(path)
      for i = 1, 1001 do assert.is_true(rl.add_history("x = " .. i, path, max)) end
      local text = H.read(path)
      os.remove(path)
      return text:gsub("#%d+\n", "#\n")   -- the entries' times differ from run to run
    end
    local default, thousand, more = file_after(nil), file_after(1000), file_after(1001)
    assert.are.equal(thousand, default)
    assert.are_not.equal(more, default)
    assert.truthy(default:find("x = 1001\n$"))
  end)

  it("reads LUNET_THREADS as a decimal number", function()
    local function threads(value)
      local p = io.popen(("env %s lua5.4 -e %q"):format(value and "LUNET_THREADS=" .. value or "-u LUNET_THREADS",
        "package.path = 'lua/?.lua;lua/?/init.lua;' .. package.path; package.cpath = './?.so;' .. package.cpath; "
        .. "io.write(require('lunet').threads())"))
      local out = p:read("a")
      p:close()
      return tonumber(out)
    end
    assert.are.equal(10, threads("10"))
    -- not a number in base 10 (in base 16 it would be 10, as "10" would be 16): ignored, as when unset
    assert.are.equal(threads(nil), threads("a"))
    assert.are.equal(16, threads("99"))
    assert.are.equal(1, threads("0"))   -- as lunet.threads' docstring says: 1 below 1, 16 above it
  end)

  it("keeps a cost set before the network is built", function()
    lunet.seed(3)
    local x = lunet.tensor({ { 0.2, -0.4 }, { 0.7, 0.1 } }, "float64")
    local y = lunet.tensor({ { 1, 0 }, { 0, 1 } }, "float64")
    local model = lunet.nn.Sequential({ lunet.nn.Linear(2, 2), lunet.nn.Sigmoid() }, { dtype = "float64" })
    model:set_cost("quadratic")
    local cost = model:evaluate({ x = x, y = y })
    local a = model:output(x)
    local want = 0
    for i = 1, 2 do
      for j = 1, 2 do want = want + 0.5 * (a[{ i, j }] - y[{ i, j }]) ^ 2 end
    end
    H.near(cost, want / 2, 1e-15, "mean quadratic cost")
  end)

  it("download_mnist refuses a file table entry for each wrong part alone", function()
    local ok_entry = { size = 1, md5 = "00" }
    local message = "download_mnist: opts.files must map file names to { size = integer, md5 = hex string }"
    for _, files in ipairs({
      { [1] = ok_entry },
      { ["a.gz"] = "not a table" },
      { ["a.gz"] = { size = 1.5, md5 = "00" } },
      { ["a.gz"] = { size = 1, md5 = 0 } },
    }) do
      H.refused(message, lunet.data.download_mnist, { dir = H.tmpname("-dl"), files = files, quiet = true })
    end
  end)
end)
