-- Hostile sizes for the core's arithmetic: shapes whose element counts,
-- strides or offsets would overflow 64 bits (zero-size dimensions hiding
-- huge ones, expansions and broadcasts to huge shapes, narrow at the ends of
-- the integers), and layer specs whose per-sample sizes, convolution
-- geometry or parameter counts do not fit. Each is a clean error or a
-- correct result; `make asan` runs them with UBSan's -fno-sanitize-recover,
-- so an overflow on the way is a failure too.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"

local BIG = 1 << 40
-- ASan aborts on an allocation beyond its 2^40-byte limit instead of
-- returning NULL, so the cases that reach malloc run in the plain build only
local ASAN = os.getenv("LUNET_ASAN")

describe("zero-size dimensions beside huge ones", function()
  it("zeros(0, 2^62, 2^62) is an error: the other sizes still multiply past 64 bits", function()
    assert.matches("too large", H.err(lunet.zeros, 0, 1 << 62, 1 << 62))
    assert.matches("too large", H.err(lunet.zeros, 1 << 62, 0, 1 << 62))
    assert.matches("too large", H.err(lunet.zeros, 1 << 62, 1 << 62, 0))
  end)

  it("the limit is 2^59 for the product of the non-zero sizes", function()
    assert.matches("2%^59 or more", H.err(lunet.zeros, 0, 1 << 59))
    assert.matches("too large", H.err(lunet.zeros, 0, 1 << 30, 1 << 30))
    local z = lunet.zeros(0, (1 << 59) - 1)
    assert.equal(0, z:numel())
  end)

  it("zeros(0, 2^40) is a valid empty tensor: strides, sums, transposed copies", function()
    local z = lunet.zeros(0, BIG)
    assert.same({ 0, BIG }, z:shape())
    assert.same({ BIG, 1 }, z:stride())
    assert.equal(0, z:numel())
    assert.equal(0, z:sum())
    assert.equal(0, z:sum(2):numel())
    assert.same({ BIG, 0 }, z:t():contiguous():shape())
    assert.matches("empty", H.err(function() return z:max() end))
  end)

  it("view and reshape of an empty tensor to huge shapes are errors", function()
    assert.matches("too large", H.err(function() return lunet.zeros(0):view(0, 1 << 62, 1 << 62) end))
    assert.matches("too large", H.err(function() return lunet.zeros(0):reshape(1 << 62, 1 << 62, 0) end))
    assert.same({ 0, BIG }, lunet.zeros(0):view(0, BIG):shape())
  end)
end)

describe("expansions and broadcasts to huge shapes", function()
  it("expand checks that the element count of the new shape fits 64 bits", function()
    assert.matches("too large", H.err(function() return lunet.ones(1, 1):expand(BIG, BIG) end))
    assert.matches("too large", H.err(function() return lunet.ones(1, 1, 1):expand(1 << 21, 1 << 21, 1 << 21) end))
    assert.matches(">= 0", H.err(function() return lunet.ones(1, 1):expand(-1, 1) end))
  end)

  it("an expansion of 2^62 elements is a view costing no memory; copying it is refused", function()
    local e = lunet.ones(1, 1, "float64"):expand(1 << 31, 1 << 31)
    assert.equal(1 << 62, e:numel())
    assert.same({ 0, 0 }, e:stride())
    assert.equal(1, e[{ 1 << 31, 1 << 31 }])
    assert.matches("too large", H.err(function() return e:contiguous() end))
    assert.matches("too large", H.err(function() return e:sum() end))
    assert.matches("too large", H.err(function() return e + 1 end))
    assert.matches("too large", H.err(function() return e:reshape(1 << 62) end))
  end)

  it("an expansion of 2^62 elements narrowed back to a few is an ordinary view", function()
    local e = lunet.arange(3, "float64"):view(1, 3):expand(1 << 61, 3)
    local part = e:narrow(1, (1 << 61) - 1, 2)
    assert.same({ { 0, 1, 2 }, { 0, 1, 2 } }, part:totable())
    assert.equal(6, part:sum())
  end)

  it("broadcasting (2^40, 1) with (1, 2^40) is an error before any allocation", function()
    local a, b = lunet.zeros(1, 1):expand(BIG, 1), lunet.zeros(1, 1):expand(1, BIG)
    assert.matches("too large", H.err(function() return a + b end))
    assert.matches("too large", H.err(function() return a * b end))
    assert.matches("too large", H.err(function() return lunet.matmul(a, lunet.zeros(1, 1):expand(1, BIG)) end))
  end)

  it("a clean error, not an overflow, when a huge expansion is copied", function()
    if ASAN then return end
    local e = lunet.ones(1, 1):expand(1 << 30, 1 << 28)
    assert.matches("out of memory", H.err(function() return e:contiguous() end))
  end)
end)

describe("narrow at the ends of the integers", function()
  it("a length of maxinteger: no sum in the check or its message overflows", function()
    assert.matches("9223372036854775807 elements from element 2 are outside dimension 1 of size 2",
      H.err(function() return lunet.zeros(2, 3):narrow(1, 2, math.maxinteger) end))
  end)

  it("a huge length from the first element", function()
    assert.matches("9223372036854775807 elements from element 1 are outside", H.err(function()
      return lunet.zeros(4):narrow(1, 1, math.maxinteger)
    end))
  end)

  it("a length that fits exactly is still a view", function()
    local t = lunet.arange(10)
    assert.same({ 7, 8, 9 }, t:narrow(1, 8, 3):totable())
    assert.equal(0, t:narrow(1, 11, 0):numel())
  end)
end)

describe("layer specs whose sizes do not fit", function()
  -- the low-level constructor, which also rebuilds saved models
  local function build(specs, input)
    return H.err(core.net_new, specs, { input = input })
  end

  it("a network input of 2^40 in each dimension", function()
    assert.matches("too many values per sample", build({ { type = "dense", n_in = 4, n_out = 2 } }, { BIG, BIG, BIG }))
  end)

  it("a network input of 2^31 values", function()
    assert.matches("too many values per sample %(at most 2147483647%)",
      build({ { type = "dense", n_in = 4, n_out = 2 } }, { 1 << 31 }))
  end)

  it("zero and negative input sizes", function()
    assert.matches("size 0 in dimension 1 is not positive",
      build({ { type = "dense", n_in = 4, n_out = 2 } }, { 0, BIG }))
    assert.matches("size %-5 in dimension 2", build({ { type = "dense", n_in = 4, n_out = 2 } }, { 2, -5 }))
  end)

  it("a convolution whose padded image does not fit an int", function()
    assert.matches("layer 1 %(conv2d%): convolution of 1x2147483647x1 images with a 3x3 kernel is too large",
      build({ { type = "conv2d", n_in = 1, maps = 1, kernel = 3, pad = 1024 } }, { 1, (1 << 31) - 1, 1 }))
  end)

  it("a convolution whose weight columns (c_in k k) do not fit an int", function()
    assert.matches("too large", build({ { type = "conv2d", n_in = 1 << 20, maps = 1, kernel = 1024, pad = 1024 } },
      { 1 << 20, 1, 1 }))
  end)

  it("a convolution whose output has too many values per sample", function()
    assert.matches("layer 1 %(conv2d%): its output has too many values per sample",
      build({ { type = "conv2d", n_in = 1, maps = 65536, kernel = 1 } }, { 1, 1 << 16, 1 << 10 }))
  end)

  it("convolution maps and kernels beyond their ranges", function()
    assert.matches("maps 1%.%.65536", build({ { type = "conv2d", n_in = 1, maps = BIG, kernel = 1 } }, { 1, 2, 2 }))
    assert.matches("kernel and stride 1%.%.1024",
      build({ { type = "conv2d", n_in = 1, maps = 1, kernel = BIG } }, { 1, 2, 2 }))
    assert.matches("padding 0%.%.1024",
      build({ { type = "conv2d", n_in = 1, maps = 1, kernel = 1, pad = -1 } }, { 1, 2, 2 }))
  end)

  it("a convolution with 2^46 weights is out of memory, not an overflow", function()
    if ASAN then return end
    assert.matches("out of memory", build({ { type = "conv2d", n_in = 1 << 20, maps = 65536, kernel = 32 } },
      { 1 << 20, 32, 32 }))
  end)

  it("a pooling stride that does not fit an int", function()
    assert.matches("pooling stride must be 1%.%.2147483647, not 1099511627776",
      build({ { type = "pool2d", kernel = 2, stride = BIG } }, { 1, 4, 4 }))
  end)

  it("a pooling window larger than the maps", function()
    assert.matches("does not fit 4x4 maps", build({ { type = "pool2d", kernel = BIG } }, { 1, 4, 4 }))
  end)

  it("a reshape to 2^40 x 2^40 x 2^40", function()
    assert.matches("layer 1 %(reshape%): the new shape has too many values per sample",
      build({ { type = "reshape", shape = { BIG, BIG, BIG } } }, { 4 }))
  end)

  it("a dense layer of 2^31 - 1 by 2^31 - 1 weights: too many parameters for a tensor", function()
    local n = (1 << 31) - 1
    assert.matches("too large", build({ { type = "dense", n_in = n, n_out = n } }, { n }))
  end)

  it("dense sizes beyond an int", function()
    assert.matches("dense layer sizes must be positive, not 4 and 1099511627776",
      build({ { type = "dense", n_in = 4, n_out = BIG } }, { 4 }))
  end)

  it("the limits let a network with large samples still build", function()
    local net = core.net_new({ { type = "conv2d", n_in = 1, maps = 2, kernel = 3, pad = 1 },
      { type = "pool2d", kernel = 2, stride = 2 } }, { input = { 1, 8, 8 } })
    assert.same({ 2, 4, 4 }, net:info().output)
    assert.same({ 2, 8, 8 }, net:layer(2).input)
  end)
end)

describe("batches whose sizes do not fit", function()
  it("a gradient check on (2^58, 0) inputs is a mismatch, not an overflow", function()
    local net = core.net_new({ { type = "dense", n_in = 2, n_out = 2 } }, { input = { 2 }, dtype = "float64" })
    assert.matches("does not match the network's input size",
      H.err(net.gradcheck, net, lunet.zeros(1 << 58, 0, "float64"), lunet.zeros(1, 2, "float64")))
  end)

  it("predict on (2^58, 0) inputs is an error", function()
    local net = core.net_new({ { type = "dense", n_in = 2, n_out = 2 } }, { input = { 2 } })
    assert.matches("2 values per sample", H.err(net.predict, net, lunet.zeros(1 << 58, 0)))
  end)

  it("a mini-batch larger than the data or than an int trains on what there is", function()
    lunet.seed(3)
    local net = lunet.Network { 2, 3, 2 }
    local set = { x = lunet.rand(4, 2), y = lunet.tensor { 0, 1, 1, 0 } }
    for _, m in ipairs { 1 << 31, math.maxinteger } do
      local copy = net:clone()
      copy:SGD(set, 1, m, 0.5, { verbose = false })
      local whole = net:clone()
      whole:SGD(set, 1, 4, 0.5, { verbose = false })
      assert.same(whole.weights[1]:totable(), copy.weights[1]:totable())
    end
  end)
end)
