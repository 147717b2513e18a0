-- IDX files (MNIST's format), plain and gzip. The small files are made here
-- in temporary files (gzip by the gzip program); the real ones are Debian's
-- Fashion-MNIST (make deps installs dataset-fashion-mnist).
local data = require "lunet.data"
local H = require "spec.helpers"

local FASHION = "/usr/share/datasets/fashion-mnist/"

local TYPES = {
  ubyte = { code = 0x08, fmt = "B" },
  sbyte = { code = 0x09, fmt = "b" },
  int16 = { code = 0x0B, fmt = ">i2" },
  int32 = { code = 0x0C, fmt = ">i4" },
  float32 = { code = 0x0D, fmt = ">f" },
  float64 = { code = 0x0E, fmt = ">d" },
}

-- The bytes of an IDX file.
local function idx_bytes(type_name, shape, values)
  local ty = TYPES[type_name]
  local parts = { string.char(0, 0, ty.code, #shape) }
  for _, n in ipairs(shape) do parts[#parts + 1] = string.pack(">I4", n) end
  for _, v in ipairs(values) do parts[#parts + 1] = string.pack(ty.fmt, v) end
  return table.concat(parts)
end

local function f32(v)
  return (string.unpack("f", string.pack("f", v)))
end

local function sh(cmd)
  local ok = os.execute(cmd)
  assert(ok, "command failed: " .. cmd)
end

local function q(s) return data.shell_quote(s) end

local tmp, remove_tmp = H.temp_files()

-- Writes bytes to a plain file and returns its path.
local function plain(bytes)
  local p = tmp(".idx")
  H.write(p, bytes)
  return p
end

-- Writes bytes gzip-compressed (by gzip -n) and returns the path.
local function gz(bytes)
  local src = plain(bytes)
  local p = tmp(".gz")
  sh(("env -u LD_PRELOAD gzip -n -c %s > %s"):format(q(src), q(p)))   -- no sanitizer runtime in gzip
  return p
end

local function err_of(path, scale)
  return H.err(data.load_idx, path, scale)
end

describe("IDX files", function()
  teardown(function()
    remove_tmp()
  end)

  it("reads every element type with its shape, values and scale, plain and gzip alike", function()
    local cases = {
      { "ubyte", { 2, 2 }, { 0, 1, 128, 255 } },
      { "sbyte", { 4 }, { -128, -1, 0, 127 } },
      { "int16", { 2, 1, 2 }, { -32768, -2, 300, 32767 } },
      { "int32", { 1, 5 }, { -2147483648, -5, 0, 70000, 16777217 } },
      { "float32", { 3 }, { 1.5, -2.25, f32(0.1) } },
      { "float64", { 2, 2 }, { 0.1, -2.5, 1e10, 123456.789 } },
    }
    for _, c in ipairs(cases) do
      local type_name, shape, values = c[1], c[2], c[3]
      local bytes = idx_bytes(type_name, shape, values)
      for _, scale in ipairs { 1, 0.5, 1 / 255 } do
        local a = data.load_idx(plain(bytes), scale)
        local b = data.load_idx(gz(bytes), scale)
        assert.are.equal("float32", a:dtype())
        assert.is_true(a:is_contiguous())
        assert.are.same(shape, a:shape())
        local want = {}
        for i, v in ipairs(values) do want[i] = f32(v * scale) end
        assert.are.same(want, H.flat(a:totable()), type_name .. " scale " .. scale)
        assert.are.same(a:totable(), b:totable(), type_name .. ": gzip differs from plain")
      end
    end
    -- the default scale is 1
    assert.are.same({ 0, 1, 128, 255 }, data.load_idx(plain(idx_bytes("ubyte", { 4 }, { 0, 1, 128, 255 }))):totable())
  end)

  it("reads eight dimensions, empty dimensions and concatenated gzip members", function()
    local eight = { 1, 2, 1, 1, 1, 1, 1, 3 }
    local t = data.load_idx(plain(idx_bytes("ubyte", eight, { 1, 2, 3, 4, 5, 6 })))
    assert.are.same(eight, t:shape())
    assert.are.same({ 1, 2, 3, 4, 5, 6 }, H.flat(t:totable()))
    assert.are.same({ 0, 28 }, data.load_idx(plain(idx_bytes("ubyte", { 0, 28 }, {}))):shape())
    -- two gzip members: the trailer's size only counts the second one
    local values = {}
    for i = 1, 300 do values[i] = i % 256 end
    local bytes = idx_bytes("ubyte", { 3, 100 }, values)
    local both = tmp(".gz")
    H.write(both, H.read(gz(bytes:sub(1, 120))) .. H.read(gz(bytes:sub(121))))
    assert.are.same(data.load_idx(plain(bytes)):totable(), data.load_idx(both):totable())
  end)

  it("rejects files that are not IDX", function()
    local good = idx_bytes("ubyte", { 2 }, { 1, 2 })
    for _, make in ipairs { plain, gz } do
      assert.matches("not an IDX file %(bad magic%)", err_of(make("\1" .. good:sub(2))))
      assert.matches("not an IDX file %(bad magic%)", err_of(make("PK\3\4 a zip file")))
      assert.matches("not an IDX file %(bad magic%)", err_of(make("")))
      assert.matches("not an IDX file %(unknown element type 0x0a%)", err_of(make("\0\0\10\1" .. good:sub(5))))
      assert.matches("not an IDX file %(0 dimensions", err_of(make("\0\0\8\0")))
      assert.matches("not an IDX file %(9 dimensions", err_of(make("\0\0\8\9" .. ("\0\0\0\1"):rep(9))))
    end
    local path = plain("\1\2\3\4")
    assert.matches(path:gsub("%p", "%%%0"), err_of(path), 1, false)
  end)

  it("rejects truncated plain files", function()
    local good = idx_bytes("int16", { 2, 3 }, { 1, 2, 3, 4, 5, 6 })
    local path = plain(good:sub(1, -4))
    local msg = err_of(path)
    assert.matches("truncated: the header claims 2x3 int16 values %(12 bytes of data%) but the file holds only 9", msg)
    assert.are.equal(1, select(2, msg:gsub(path:gsub("%p", "%%%0"), "")))
    assert.matches("truncated header", err_of(plain(good:sub(1, 10))))
  end)

  it("rejects truncated and corrupted gzip files", function()
    -- compressible but not trivial data, so the deflate stream has structure
    local values = {}
    local r = 12345
    for i = 1, 4000 do
      r = (r * 1103515245 + 12345) % 2147483648
      values[i] = (r >> 16) % 16    -- 4 bits of entropy a byte: Huffman codes, no stored blocks
    end
    local bytes = idx_bytes("ubyte", { 40, 100 }, values)
    local z = H.read(gz(bytes))
    assert.is_true(#z > 400, "the compressed test file is too small: " .. #z)
    -- cut anywhere after the header: truncated
    for _, keep in ipairs { #z - 1, #z - 8, #z // 2, 40 } do
      local msg = err_of(plain(z:sub(1, keep)))
      assert.matches("truncated", msg, 1, true)
    end
    assert.matches("claims 40x100 ubyte values %(4000 bytes of data%) but the decompressed stream holds only %d+ " ..
      "bytes of data %(gzip: unexpected end of file%)", err_of(plain(z:sub(1, #z // 2))))
    assert.matches("the gzip trailer %(CRC and length%) is cut off", err_of(plain(z:sub(1, #z - 4))))
    -- flip bytes in the middle of the deflate stream: zlib's message (or the
    -- size disagreeing) names the corruption; never a silent success
    local flipped = 0
    for pos = 30, #z - 30, (#z - 60) // 15 do
      local bad = z:sub(1, pos - 1) .. string.char(z:byte(pos) ~ 0xA5) .. z:sub(pos + 1)
      local path = plain(bad)
      local ok, msg = pcall(data.load_idx, path)
      assert.is_false(ok, "a corrupted byte at " .. pos .. " went unnoticed")
      assert.is_truthy(msg:find("corrupt", 1, true) or msg:find("truncated", 1, true), msg)
      if msg:find("corrupt gzip data", 1, true) then flipped = flipped + 1 end
    end
    assert.is_true(flipped > 0, "no flip was reported with zlib's message")
    -- the CRC at the end catches a change that keeps the size
    local crc = #z - 7
    local msg = err_of(plain(z:sub(1, crc - 1) .. string.char(z:byte(crc) ~ 1) .. z:sub(crc + 1)))
    assert.matches("corrupt gzip data: incorrect data check", msg)
  end)

  it("rejects a header that claims more than the file holds, before allocating", function()
    -- 60000x28x28 bytes claimed, 84 present
    local lying = string.char(0, 0, 8, 3) .. string.pack(">I4>I4>I4", 60000, 28, 28) .. ("\7"):rep(84)
    assert.are.equal(100, #lying)
    local want = "truncated: the header claims 60000x28x28 ubyte values %(47040000 bytes of data%) but the "
    assert.matches(want .. "file holds only 84 bytes", err_of(plain(lying)))
    assert.matches(want .. "decompressed stream holds only 84 bytes", err_of(gz(lying)))
    -- 10 GB of bytes claimed (40 GB as float32): fails at once, no allocation
    local huge = string.char(0, 0, 8, 2) .. string.pack(">I4>I4", 100000, 100000) .. "tiny"
    local t0 = os.clock()
    assert.matches("claims 100000x100000 ubyte values", err_of(plain(huge)))
    assert.matches("claims 100000x100000 ubyte values", err_of(gz(huge)))
    -- 2^48 values (a petabyte as float32): allocating first would fail with "out of memory"
    local vast = string.char(0, 0, 8, 2) .. string.pack(">I4>I4", 0xFFFFFFFF, 0x10000) .. "tiny"
    assert.matches("claims 4294967295x65536 ubyte values", err_of(plain(vast)))
    assert.matches("claims 4294967295x65536 ubyte values", err_of(gz(vast)))
    assert.is_true(os.clock() - t0 < 1)
    -- sizes whose product overflows
    local over = string.char(0, 0, 0x0E, 4) .. string.pack(">I4", 0xFFFFFFFF):rep(4)
    assert.matches("shape 4294967295x4294967295x4294967295x4294967295 is too large", err_of(plain(over)))
    assert.matches("is too large", err_of(gz(over)))
    local over2 = string.char(0, 0, 0x08, 2) .. string.pack(">I4>I4", 0x7FFFFFFF, 0x7FFFFFFF)
    assert.matches("is too large", err_of(plain(over2)))
  end)

  it("rejects trailing bytes after the data", function()
    local good = idx_bytes("ubyte", { 2, 2 }, { 1, 2, 3, 4 })
    assert.matches("corrupt: 3 bytes after the end of the data", err_of(plain(good .. "xyz")))
    assert.matches("corrupt: bytes after the end of the data", err_of(gz(good .. "xyz")))
    assert.are.same({ { 1, 2 }, { 3, 4 } }, data.load_idx(gz(good)):totable())
  end)

  it("reports missing files and directories", function()
    assert.matches("cannot open /nonexistent/x%-idx1%-ubyte: No such file", err_of("/nonexistent/x-idx1-ubyte"))
    assert.matches("cannot open /tmp: not a regular file", err_of("/tmp"))
    assert.matches("number expected", H.err(data.load_idx, "/tmp/x", "big"))
  end)

  it("reads Debian's Fashion-MNIST", function()
    local images = FASHION .. "train-images-idx3-ubyte.gz"
    assert.is_truthy(io.open(images), "Fashion-MNIST is not installed: make deps installs dataset-fashion-mnist")
    local x = data.load_idx(images)
    assert.are.same({ 60000, 28, 28 }, x:shape())
    -- The sum of all 47,040,000 pixel bytes, computed once with
    --   /usr/bin/python3 -c 'import gzip, numpy as np; print(np.frombuffer(gzip.open(
    --     "train-images-idx3-ubyte.gz").read(), np.uint8, offset=16).astype(np.int64).sum())'
    -- (the sum here is accumulated in double, exact for integers below 2^53).
    assert.are.equal(3431114169, x:sum())
    assert.are.equal(255, x:max())
    assert.are.equal(0, x:min())
    -- row 14 of the first image (numpy: tr[0][13])
    assert.are.same({ 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 55, 236, 228, 230, 228, 240, 232, 213, 218, 223,
                      234, 217, 217, 209, 92, 0 }, x:select(1, 1):select(1, 14):totable())
    x:close()
    local y = data.load_idx(FASHION .. "train-labels-idx1-ubyte.gz")
    assert.are.same({ 60000 }, y:shape())
    assert.are.equal(9, y[1])
    assert.are.equal(270000, y:sum())    -- 6000 of each class 0..9 (numpy)
    local t = data.load_idx(FASHION .. "t10k-images-idx3-ubyte.gz", 1 / 255)
    assert.are.same({ 10000, 28, 28 }, t:shape())
    assert.are.equal(1, t:max())
    assert.are.equal(0, t:min())
    H.near(573469082, t:sum() * 255, 1e-6, "t10k pixel sum (numpy, as above)")
  end)
end)
