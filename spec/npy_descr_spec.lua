-- .npy element types, versions and shapes: every accepted descriptor reads
-- its exact values, and each malformed part of a descriptor or header is
-- refused on its own (a check that tests several conditions must fire for
-- each of them alone).
local lunet = require "lunet"
local H = require "spec.helpers"

-- A version `v` .npy file with the header dict `dict` and raw bytes `data`.
local function npy(dict, data, v)
  v = v or 1
  local lenbytes = v == 1 and 2 or 4
  local pre = 8 + lenbytes
  local text = dict .. (" "):rep((pre + #dict + 1 + 63) // 64 * 64 - pre - #dict - 1) .. "\n"
  local len = v == 1 and string.pack("<I2", #text) or string.pack("<I4", #text)
  return "\147NUMPY" .. string.char(v, 0) .. len .. text .. data
end

local function load(bytes)
  local path = H.tmpname(".npy")
  H.write(path, bytes)
  local ok, t = pcall(lunet.load_npy, path)
  os.remove(path)
  return ok, t
end

local function header(descr, shape)
  return ("{'descr': '%s', 'fortran_order': False, 'shape': %s, }"):format(descr, shape or "(2,)")
end

describe(".npy element types", function()
  it("reads every supported integer and float type exactly, in either byte order", function()
    local cases = {
      { "<f4", string.pack("<ff", 1.5, -2) }, { "<f8", string.pack("<dd", 1.5, -2) },
      { ">f8", string.pack(">dd", 1.5, -2) }, { "=f8", string.pack("=dd", 1.5, -2) },
      { ">f4", string.pack(">ff", 1.5, -2) },
      { "|i1", string.pack("<i1i1", 3, -2) }, { "<i1", string.pack("<i1i1", 3, -2) },
      { "<i2", string.pack("<i2i2", 3, -2) }, { ">i2", string.pack(">i2i2", 3, -2) },
      { "<i4", string.pack("<i4i4", 3, -2) }, { "<i8", string.pack("<i8i8", 3, -2) },
      { "|u1", string.pack("<I1I1", 3, 250) }, { "<u2", string.pack("<I2I2", 3, 65000) },
      { "<u4", string.pack("<I4I4", 3, 4000000000) }, { ">u4", string.pack(">I4I4", 3, 4000000000) },
      { "<u8", string.pack("<I8I8", 3, 1 << 40) },
    }
    local want = { f = { 1.5, -2 }, i = { 3, -2 } }
    for _, c in ipairs(cases) do
      local ok, t = load(npy(header(c[1]), c[2]))
      assert.is_true(ok, c[1] .. ": " .. tostring(t))
      local kind = c[1]:sub(2, 2)
      local expect = want[kind] or { 3, ({ [1] = 250, [2] = 65000, [4] = 4000000000, [8] = 1 << 40 })[#c[2] // 2] }
      assert.are.same(expect, t:totable(), c[1])
    end
  end)

  it("refuses sizes other than 1, 2, 4, 8 (4, 8 for floats), other kinds and malformed descriptors", function()
    local bad = { "<f2", "<f1", "<i3", "<u16", "<f16", "<c8", "<b1", "<f", "<fx", "<f8x", "<f+8", "<f 8",
      "<f0008", "<f008", "xf8", "f8", "<", "" }
    for _, d in ipairs(bad) do
      local ok, err = load(npy(header(d), ("\0"):rep(16)))
      assert.is_false(ok, "descr '" .. d .. "' was read")
      assert.is_string(err)
    end
  end)
end)

describe(".npy versions and shapes", function()
  it("reads versions 1, 2 and 3 and refuses 0 and 4", function()
    for _, v in ipairs { 1, 2, 3 } do
      local ok, t = load(npy(header("<f8"), string.pack("<dd", 1.5, -2), v))
      assert.is_true(ok, "version " .. v .. ": " .. tostring(t))
      assert.are.same({ 1.5, -2 }, t:totable())
    end
    for _, v in ipairs { 0, 4 } do
      local ok, err = load(npy(header("<f8"), string.pack("<dd", 1.5, -2), v))
      assert.is_false(ok, "version " .. v)
      assert.truthy(tostring(err):find("version " .. v .. " is not supported", 1, true), err)
    end
  end)

  it("refuses a bad magic and a file shorter than the preamble, each alone", function()
    local good = npy(header("<f8"), string.pack("<dd", 1.5, -2))
    assert.is_true((load(good)))
    local ok1, e1 = load("\147NUMPX" .. good:sub(7))
    assert.is_false(ok1)
    assert.truthy(tostring(e1):find("bad magic", 1, true), e1)
    local ok2, e2 = load(good:sub(1, 9))
    assert.is_false(ok2)
    assert.truthy(tostring(e2):find("bad magic", 1, true), e2)
  end)

  it("reads shapes of 0 to 8 dimensions and refuses 9, letters and data of the wrong length", function()
    for nd = 0, 8 do
      local shape = nd == 0 and "()" or "(" .. ("1, "):rep(nd - 1) .. "1,)"
      local ok, t = load(npy(header("<f8", shape), string.pack("<d", 2.5)))
      assert.is_true(ok, nd .. " dimensions: " .. tostring(t))
      assert.are.equal(nd, t:dim())
    end
    local ok9 = load(npy(header("<f8", "(" .. ("1, "):rep(8) .. "1,)"), string.pack("<d", 2.5)))
    assert.is_false(ok9, "9 dimensions")
    assert.is_false((load(npy(header("<f8", "(a,)"), string.pack("<d", 2.5)))), "a letter")
    assert.is_false((load(npy(header("<f8", "(2,)"), string.pack("<d", 2.5)))), "one value short")
    assert.is_false((load(npy(header("<f8", "(2,)"), string.pack("<ddd", 1, 2, 3)))), "one value more")
  end)

  it("reads Fortran order as the transpose of the stored order", function()
    local dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }"
    local ok, t = load(npy(dict, string.pack("<dddddd", 1, 4, 2, 5, 3, 6)))
    assert.is_true(ok, tostring(t))
    assert.are.same({ { 1, 2, 3 }, { 4, 5, 6 } }, t:totable())
  end)
end)
