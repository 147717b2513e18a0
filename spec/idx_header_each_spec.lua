-- IDX headers: each byte of the magic checked on its own (the first two
-- must be 0), a file shorter than the magic refused, and the rank bounded
-- at both ends (1 and 8 taken, 0 and 9 refused); exact values read back.
local lunet = require "lunet"
local H = require "spec.helpers"

local function load(bytes)
  local path = H.tmpname(".idx")
  H.write(path, bytes)
  local ok, t = pcall(lunet.data.load_idx, path)
  os.remove(path)
  return ok, t
end

local function refused(pattern, bytes)
  local ok, err = load(bytes)
  assert.is_false(ok, "read: " .. pattern)
  assert.truthy(tostring(err):find(pattern, 1, true), ("expected %q in: %s"):format(pattern, tostring(err)))
end

describe("IDX header checks, each alone", function()
  it("refuses a non-zero first or second magic byte, each alone, and a file of 3 bytes", function()
    local good = "\0\0\8\1\0\0\0\2\7\9"
    local ok, t = load(good)
    assert.is_true(ok, tostring(t))
    assert.are.same({ 7, 9 }, t:totable())
    refused("not an IDX file (bad magic)", "\1\0\8\1\0\0\0\2\7\9")
    refused("not an IDX file (bad magic)", "\0\1\8\1\0\0\0\2\7\9")
    refused("not an IDX file (bad magic)", "\0\0\8")
  end)

  it("takes ranks 1 to 8 and refuses 0 and 9", function()
    local one = "\0\0\8\8" .. ("\0\0\0\1"):rep(8) .. "\5"
    local ok, t = load(one)
    assert.is_true(ok, tostring(t))
    assert.are.equal(8, t:dim())
    assert.are.equal(5, t:totable()[1][1][1][1][1][1][1][1])
    refused("0 dimensions", "\0\0\8\0")
    refused("9 dimensions", "\0\0\8\9" .. ("\0\0\0\1"):rep(9) .. "\5")
  end)
end)
