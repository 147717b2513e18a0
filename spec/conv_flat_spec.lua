-- The AVX-512 convolution of conv_flat.c (float32, stride 1, any padding)
-- against the plain loops of real/conv.inc: forward, input, weight and bias
-- gradients over shapes that reach every tile and remainder (output maps in
-- blocks of 5 forward and 3 for the weights, input maps in blocks of 5 for
-- dx, kernel widths in blocks of 5, positions in blocks of 4 vectors with a
-- masked last one, rows longer than a vector), on one and two threads; the
-- level switch between a forward and its backward pass; the
-- chapter-6 network trained the same at every level of kernels.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"
local nn = lunet.nn

local has_avx512 = core._conv_level() >= 2

-- one conv layer's float32 passes at the current level against the plain loops
local function check(c_in, c_out, k, h, w, batch, threads, pad)
  pad = pad or 0
  lunet.threads(threads)
  local layer = nn.Conv2d(c_in, c_out, k, { pad = pad })
  local model = nn.Sequential({ layer }, { input = { c_in, h, w }, dtype = "float32" })
  local x = lunet.randn(batch, c_in, h, w, "float32")
  local what = ("c_in %d c_out %d k %d %dx%d pad %d batch %d, %d thread(s)"):format(c_in, c_out, k, h, w, pad,
    batch, threads)
  local y = model:forward(x, true)
  H.near(y, core._conv_forward_ref(x, layer.weight, layer.bias, 1, pad), 2e-4, "forward, " .. what)
  local dy = lunet.randn(y:shape(), "float32")
  model:zero_grad()
  local dx = model:backward(x, dy)
  local rdx, rdw = core._conv_backward_ref(x, layer.weight, dy, 1, pad)
  H.near(dx, rdx, 2e-4, "input gradient, " .. what)
  H.near(layer.grad_weight, rdw, 2e-3, "weight gradient, " .. what)
  local db = dy:to("float64"):sum(4):sum(3):sum(1):reshape(c_out)
  H.near(layer.grad_bias:to("float64"), db, 2e-3, "bias gradient, " .. what)
  return y, dx, layer.grad_weight:clone()
end

describe("the AVX-512 flat convolution (conv_flat.c)", function()
  local threads, level
  before_each(function() threads, level = lunet.threads(), core._conv_level() end)
  after_each(function()
    lunet.threads(threads)
    core._conv_level(level)
  end)

  -- The tests below return early on a CPU without AVX-512F, where these
  -- kernels never run: this one makes sure that is the CPU's doing, not a
  -- detection that fails (the kernels would then go untested here).
  it("runs the AVX-512 kernels exactly when /proc/cpuinfo lists avx512f", function()
    local f = io.open("/proc/cpuinfo")
    if f == nil then return end   -- not Linux: nothing independent to compare with
    local flags = f:read("a"):match("\nflags%s*:([^\n]*)") or ""
    f:close()
    assert.are.equal(flags:find(" avx512f", 1, true) ~= nil, has_avx512)
  end)

  it("matches the plain loops on every tile shape and remainder, one and two threads", function()
    if not has_avx512 then return end   -- a CPU without AVX-512F: the kernels are never used
    lunet.seed(141)
    -- {c_in, c_out, k, h, w, batch}
    for _, c in ipairs {
      { 1, 20, 5, 28, 28, 3 },    -- chapter 6, first layer: 576 positions, 36 whole vectors
      { 20, 40, 5, 12, 12, 3 },   -- chapter 6, second layer: rows of 8, 4 vectors
      { 3, 7, 3, 9, 13, 2 },      -- 77 positions: a masked last vector; maps 5 + 2, 3 + 3 + 1
      { 7, 4, 4, 11, 26, 2 },     -- k 4 (a tap block of 4), rows of 23, input maps 5 + 2
      { 4, 2, 7, 9, 40, 1 },      -- k 7 (5 + 2 taps), rows of 34 (more than a vector), 3 rows
      { 6, 9, 1, 5, 17, 2 },      -- 1x1 kernels, 85 positions
      { 2, 1, 2, 3, 3, 3 },       -- one output map, 4 positions
      { 9, 3, 6, 6, 6, 1 },       -- a single output position, input maps 5 + 4
      { 1, 1, 1, 1, 1, 1 },
    } do
      for _, n in ipairs { 1, 2 } do check(c[1], c[2], c[3], c[4], c[5], c[6], n) end
    end
  end)

  it("pads with zeros: rows and columns of zeros around the image, up to more than half the kernel", function()
    if not has_avx512 then return end
    lunet.seed(146)
    -- {c_in, c_out, k, h, w, batch, pad}
    for _, c in ipairs {
      { 3, 7, 3, 9, 13, 2, 1 },   -- 'same' 3x3
      { 1, 4, 5, 28, 28, 2, 2 },  -- 'same' 5x5 on MNIST-sized images
      { 4, 3, 3, 5, 40, 1, 1 },   -- rows of 40: dx folded in chunks of 16
      { 2, 2, 3, 1, 1, 1, 1 },    -- a 1x1 image: all but one input of each tap is padding
      { 2, 3, 5, 4, 6, 2, 3 },    -- padding wider than the kernel's half
      { 6, 5, 2, 7, 3, 3, 1 },    -- an even kernel
    } do
      for _, n in ipairs { 1, 2 } do check(c[1], c[2], c[3], c[4], c[5], c[6], n, c[7]) end
    end
  end)

  it("adds the threads' shares of the weight gradient (odd batches split unevenly, one image)", function()
    if not has_avx512 then return end
    lunet.seed(142)
    check(3, 1, 3, 8, 8, 5, 2)
    check(2, 2, 5, 9, 9, 1, 2)
  end)

  it("gives what im2col + GEMM gives (the same layer, levels 2 and 0)", function()
    if not has_avx512 then return end
    lunet.threads(1)
    local results = {}
    for _, l in ipairs { 2, 0 } do
      core._conv_level(l)
      lunet.seed(143)
      local y, dx, dw = check(5, 8, 3, 10, 14, 4, 1)
      results[l] = { y = y, dx = dx, dw = dw }
    end
    H.near(results[2].y, results[0].y, 1e-5, "forward")
    H.near(results[2].dx, results[0].dx, 1e-5, "input gradient")
    H.near(results[2].dw, results[0].dw, 1e-4, "weight gradient")
  end)

  it("keeps a backward pass on the kernels of its forward pass when the level changes between them", function()
    if not has_avx512 then return end
    lunet.threads(1)
    lunet.seed(144)
    local layer = nn.Conv2d(4, 6, 3)
    local model = nn.Sequential({ layer }, { input = { 4, 9, 9 }, dtype = "float32" })
    local x = lunet.randn(3, 4, 9, 9, "float32")
    core._conv_level(2)
    local y = model:forward(x, true)   -- leaves shifted rows, not im2col columns
    core._conv_level(0)
    local dy = lunet.randn(y:shape(), "float32")
    model:zero_grad()
    local dx = model:backward(x, dy)
    local rdx, rdw = core._conv_backward_ref(x, layer.weight, dy, 1, 0)
    H.near(dx, rdx, 2e-4, "input gradient")
    H.near(layer.grad_weight, rdw, 2e-3, "weight gradient")
  end)

  it("caps the level at the CPU's and reads its argument as an integer", function()
    local top = core._conv_level(99)
    assert.is_true(top == 0 or top == 1 or top == 2)
    assert.are.equal(0, core._conv_level(-3))
    assert.are.equal(math.min(1, top), core._conv_level(1))
    H.refused("level", core._conv_level, "two")
  end)

  it("trains the chapter-6 network to the same parameters within rounding at every level", function()
    local function run(l)
      core._conv_level(l)
      lunet.threads(2)
      return H.tiny_convnet_params(145, 5, 6, 40)
    end
    local top = core._conv_level()
    local reference = run(0)
    for l = 1, top do H.near(run(l), reference, 1e-4, "level " .. l) end
    assert.are.same(run(top):totable(), run(top):totable())   -- the same seed, the same numbers
  end)
end)
