-- Hostile file headers: every size a file claims is multiplied and added
-- with overflow checks before anything is allocated (issue 9, item 3).
-- Each case crafts a file (spec/craft.lua) and asserts a clean Lua error
-- naming the problem; the model files carry a valid CRC-32, so the checks
-- behind the checksum are the ones tested.
local lunet = require "lunet"
local craft = require "spec.craft"

local load_npy = lunet.load_npy
local load_idx = lunet.data.load_idx
local load_model = lunet.load

local TOO_LARGE = "the header's shape"

describe(".npy headers", function()
  local function npy_err(shape, descr, data)
    local header = ("{'descr': '%s', 'fortran_order': False, 'shape': %s, }"):format(descr or "<f4", shape)
    return craft.err(load_npy, craft.npy(header, data), ".npy")
  end

  it("refuse a shape whose element count overflows int64", function()
    assert.matches(TOO_LARGE .. " is too large", npy_err("(4611686018427387904, 4611686018427387904)"))
  end)

  it("refuse huge sizes beside a zero size (the strides would overflow)", function()
    assert.matches(TOO_LARGE .. " is too large", npy_err("(0, 4611686018427387904, 4611686018427387904)"))
    assert.matches(TOO_LARGE .. " is too large", npy_err("(4611686018427387904, 4, 0)"))
  end)

  it("refuse a count that fits int64 but not once multiplied into bytes", function()
    -- 2^30 * 2^30 = 2^60 elements: 2^63 bytes and more
    assert.matches(TOO_LARGE .. " is too large", npy_err("(1073741824, 1073741824)"))
    assert.matches(TOO_LARGE .. " is too large", npy_err("(1073741824, 1073741824)", "<f8"))
  end)

  it("compare a large but representable claim with the file without allocating", function()
    -- 2^29 * 2^29 float32 = 2^60 bytes: representable, so the file's size decides
    assert.matches("promises 1152921504606846976 bytes of data but the file holds 0",
      npy_err("(536870912, 536870912)"))
    assert.matches("promises 24 bytes of data but the file holds 8", npy_err("(2, 3)", "<f4", ("\0"):rep(8)))
  end)

  it("refuse sizes that do not fit a 64-bit integer, and negative sizes", function()
    assert.matches("not a valid .npy header", npy_err("(99999999999999999999,)"))
    assert.matches("not a valid .npy header", npy_err("(-1, 2)"))
  end)

  it("refuse more dimensions than a tensor has", function()
    assert.matches("not a valid .npy header", npy_err("(1, 1, 1, 1, 1, 1, 1, 1, 1)"))
  end)

  it("refuse an element size with too many digits", function()
    assert.matches("element type '<f99999999999' is not supported", npy_err("(2,)", "<f99999999999"))
    assert.matches("element type '<i16' is not supported", npy_err("(2,)", "<i16"))
  end)

  it("refuse a version 2 header length beyond the limit", function()
    local bytes = "\x93NUMPY\2\0" .. string.pack("<I4", 0xFFFFFFFF) .. "{}"
    assert.matches("header too long", craft.err(load_npy, bytes, ".npy"))
  end)

  it("still read a shape whose sizes are large but whose data is empty", function()
    local path = craft.file(craft.npy("{'descr': '<f4', 'fortran_order': True, 'shape': (0, 1048576, 1024), }"))
    local t = load_npy(path)
    os.remove(path)
    assert.are.same({ 0, 1048576, 1024 }, t:shape())
  end)
end)

describe("IDX headers", function()
  local MAX = 0xFFFFFFFF

  it("refuse dimensions whose product overflows, plain and gzip", function()
    local bytes = craft.idx(0x08, { MAX, MAX, MAX })
    assert.matches(TOO_LARGE .. " 4294967295x4294967295x4294967295 is too large", craft.err(load_idx, bytes))
    assert.matches("too large", craft.err(load_idx, craft.gzip(bytes), ".gz"))
  end)

  it("refuse eight dimensions of 2^32 - 1", function()
    local dims = {}
    for i = 1, 8 do dims[i] = MAX end
    assert.matches("too large", craft.err(load_idx, craft.idx(0x0E, dims)))
  end)

  it("refuse huge dimensions beside a zero one", function()
    assert.matches("4294967295x0x4294967295x4294967295 is too large",
      craft.err(load_idx, craft.idx(0x08, { MAX, 0, MAX, MAX })))
    assert.matches("0x4294967295x4294967295x4294967295 is too large",
      craft.err(load_idx, craft.gzip(craft.idx(0x0C, { 0, MAX, MAX, MAX }))))
  end)

  it("compare a representable claim with the file's size before allocating", function()
    local msg = craft.err(load_idx, craft.idx(0x0E, { 65536, 65536 }, "\0\0\0\0\0\0\0\0"))
    assert.matches("claims 65536x65536 float64 values %(34359738368 bytes of data%) but the file holds only 8", msg)
  end)

  it("do not trust a gzip trailer's size modulo 2^32 for a claim of 4 GB or more", function()
    -- 4 x 4278255361 x 257 bytes = 2^42 + 4 claimed (16 TB as float32); the file
    -- holds 4, and its ISIZE (20 + 4) equals the claim's 20 + 2^42 + 4 mod 2^32
    local bytes = craft.idx(0x08, { 4, 4278255361, 257, 1 }, "\1\2\3\4")
    local msg = craft.err(load_idx, craft.gzip(bytes), ".gz")
    assert.matches("%(4398046511108 bytes of data%) but the decompressed stream holds only 4 bytes", msg)
  end)

  it("refuse more than 8 dimensions and unknown element types", function()
    assert.matches("9 dimensions", craft.err(load_idx, craft.idx(0x08, { 1, 1, 1, 1, 1, 1, 1, 1, 1 }, "\0")))
    assert.matches("unknown element type 0x0a", craft.err(load_idx, craft.idx(0x0A, { 1 }, "\0")))
  end)
end)

describe("model file headers (valid CRC-32)", function()
  local T40 = 1 << 40
  local function model_err(m)
    return craft.err(load_model, craft.model(m), ".lunet")
  end
  local dense = { type = "dense", n_in = 4, n_out = 3 }

  it("load when the fields are right (the crafted format is the real one)", function()
    local path = craft.file(craft.model { input = { 4 }, layers = { dense, { type = "act", act = 3 } }, nparams = 15 })
    local net = lunet.load(path)
    os.remove(path)
    assert.are.same({ { 0, 0, 0 } }, net:forward(lunet.ones(1, 4)):totable())
  end)

  it("refuse an input shape of 2^40 in each of three dimensions", function()
    assert.matches("the input shape is too large", model_err { input = { T40, T40, T40 }, layers = { dense } })
  end)

  it("refuse an input shape near 2^40 in one or two dimensions", function()
    assert.matches("the input shape is too large", model_err { input = { T40 }, layers = { dense } })
    assert.matches("the input shape is too large", model_err { input = { T40 - 1, 3 }, layers = { dense } })
    assert.matches("the input shape is too large", model_err { input = { 1, 1 << 16, 1 << 15 }, layers = { dense } })
  end)

  it("refuse any size field above 2^40", function()
    assert.matches("invalid header fields", model_err { input = { T40 + 1 }, layers = { dense } })
    assert.matches("invalid layer record",
      model_err { input = { 4 }, layers = { { type = "dense", n_in = 4, n_out = T40 + 1 } } })
    assert.matches("invalid layer record", model_err { input = { 1, 4, 4 },
      layers = { { type = "reshape", shape = { 16, -1 } } } })
  end)

  it("read an input shape that fits an int past the header, to the layer checks", function()
    assert.matches("layer 1 %(dense%)", model_err { input = { 1, 1 << 15, 1 << 15 }, layers = { dense } })
  end)

  it("refuse an input with 0 or 4 and more dimensions", function()
    assert.matches("input dimensions", model_err { input = { 4 }, ndim = 0, layers = { dense } })
    assert.matches("input dimensions", model_err { input = { 4, 1, 1, 1 }, layers = { dense } })
    assert.matches("invalid header fields", model_err { input = { 4 }, ndim = 0xFFFFFFFF, layers = { dense } })
  end)

  it("refuse a layer count the file cannot hold", function()
    assert.matches("invalid header fields", model_err { input = { 4 }, layers = { dense }, nlayers = 0xFFFFFFFF })
    assert.matches("invalid header fields", model_err { input = { 4 }, layers = { dense }, nlayers = 0 })
  end)

  it("count the layers' parameters before allocating them", function()
    -- 2^20 x 2^20 weights: a 4 TB block the file does not hold
    local big = { type = "dense", n_in = 1 << 20, n_out = 1 << 20 }
    assert.matches("parameter count does not match the layers",
      model_err { input = { 1 << 20 }, layers = { big }, nparams = 0 })
    assert.matches("parameter data has the wrong length",
      model_err { input = { 1 << 20 }, layers = { big }, nparams = (1 << 40) + (1 << 20), values = "" })
  end)

  it("refuse parameter counts whose sum or bytes overflow", function()
    local layers = { dense }
    assert.matches("does not match", model_err { input = { 4 }, layers = layers, nparams = -1, values = "" })
    assert.matches("does not match", model_err { input = { 4 }, layers = layers, nparams = 15,
      nstate = (1 << 62), values = "" })
  end)

  it("refuse enum fields out of range, even ones the layer type ignores", function()
    assert.matches("invalid layer record", model_err { input = { 4 }, layers = { { type = "dense", n_in = 4,
      n_out = 3, act = 99 } }, nparams = 15 })
    assert.matches("invalid layer record", model_err { input = { 4 }, layers = { { type = "dense", n_in = 4,
      n_out = 3, pool = 3 } }, nparams = 15 })
    assert.matches("invalid layer record", model_err { input = { 4 }, layers = { { type = 8 } } })
    assert.matches("invalid layer record", model_err { input = { 4 }, layers = { { type = "reshape",
      shape_ndim = 0xFFFFFFFF } } })
    assert.matches("invalid header fields", model_err { input = { 4 }, layers = { dense }, nparams = 15,
      cost = 7 })
  end)

  it("refuse a pooling stride of 2^32 (an int geometry would divide by zero)", function()
    assert.matches("pooling stride must be 1..2147483647, not 4294967296", model_err { input = { 1, 4, 4 },
      layers = { { type = "pool", kernel = 2, stride = 1 << 32 } } })
  end)
end)

describe("the book's JSON", function()
  local json = require "lunet.json"

  it("refuses nesting deeper than 512 levels with a message, not a stack overflow", function()
    local ok, msg = pcall(json.decode, ("["):rep(100000))
    assert.is_false(ok)
    assert.matches("json: nesting deeper than 512 levels at line 1 %(byte 513%)", msg)
    assert.are.equal(1, #json.decode(("["):rep(511) .. "1" .. ("]"):rep(511)))
  end)

  it("refuses numbers that overflow to infinity", function()
    for _, text in ipairs { "1e999", "[-1e400]", '{"a": 2E+308}' } do
      local ok, msg = pcall(json.decode, text)
      assert.is_false(ok)
      assert.matches("json: number out of range", msg)
    end
    assert.are.equal(1e308, json.decode("1e308"))
  end)

  it("gives Network.load_json a clean error for a hostile network2.py file", function()
    local function load_err(text) return craft.err(lunet.Network.load_json, text, ".json") end
    assert.matches("json: number out of range",
      load_err('{"sizes": [2, 1], "weights": [[[1e999, 0]]], "biases": [[[0]]], "cost": "QuadraticCost"}'))
    assert.matches("json: nesting deeper", load_err(("["):rep(1000)))
  end)
end)

describe("png_encode (the plots' image cells) refuses bad input", function()
  local core = require "lunet.core"
  it("names the problem for wrong types, sizes and palettes, and encodes a good image", function()
    local H = require "spec.helpers"
    assert.matches("number expected", H.err(core.png_encode, "2", {}, "gray", "\0\0\0\0"))
    assert.matches("invalid option", H.err(core.png_encode, 2, 2, "grey", "\0\0\0\0"))
    assert.matches("1 to 65535", H.err(core.png_encode, 0, 2, "gray", ""))
    assert.matches("1 to 65535", H.err(core.png_encode, 2 ^ 40, 2 ^ 40, "gray", ""))
    assert.matches("1 to 65535", H.err(core.png_encode, math.maxinteger, 1, "gray", ""))
    assert.matches("bytes of pixels", H.err(core.png_encode, 2, 2, "gray", "\0\0\0"))
    assert.matches("bytes of pixels", H.err(core.png_encode, 2, 2, "rgb", "\0\0\0\0"))
    assert.matches("RGB triples", H.err(core.png_encode, 1, 1, "palette", "\0", "\0\0"))
    assert.matches("1 to 256 colours", H.err(core.png_encode, 1, 1, "palette", "\0", ""))
    assert.matches("1 to 256 colours", H.err(core.png_encode, 1, 1, "palette", "\0", "\0\0\0", "\0\0"))
    local png = core.png_encode(2, 1, "gray", "\0\255")
    assert.are.equal("\137PNG\r\n\26\n", png:sub(1, 8))
  end)
end)
