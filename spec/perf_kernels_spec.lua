-- The fast paths of issue 13 against the plain kernels beside them: the
-- stride-1, unpadded im2col/col2im (specialised by output width) and the
-- image-by-image products of layers with 256 or more positions per image
-- against the direct convolution written out in real/conv.inc, in float64
-- and float32, for widths that have their own instance and widths that do
-- not, on one and two threads; the float32 AVX2 convolution of
-- conv_direct.c (forward, weight and input gradients, used where its geometry
-- fits) against the same plain loops, each at the level of written-out
-- kernels it is meant for (conv_flat_spec.lua tests the AVX-512 ones);
-- 2x2 max-pooling's backward pass against the
-- plain rule; evaluation reading the inputs in place (and without the
-- cost) against the copying path.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"
local nn = lunet.nn

local function conv_case(c_in, c_out, k, h, w, batch, dtype, tol, threads)
  lunet.threads(threads)
  local layer = nn.Conv2d(c_in, c_out, k)
  local model = nn.Sequential({ layer }, { input = { c_in, h, w }, dtype = dtype })
  local x = lunet.randn(batch, c_in, h, w, dtype)
  local what = ("%s c_in %d k %d %dx%d batch %d, %d thread(s)"):format(dtype, c_in, k, h, w, batch, threads)
  local y = model:forward(x, true)
  H.near(y, core._conv_forward_ref(x, layer.weight, layer.bias, 1, 0), tol, "forward, " .. what)
  local dy = lunet.randn(y:shape(), dtype)
  model:zero_grad()
  local dx = model:backward(x, dy)
  local rdx, rdw = core._conv_backward_ref(x, layer.weight, dy, 1, 0)
  H.near(dx, rdx, tol, "input gradient, " .. what)
  H.near(layer.grad_weight, rdw, tol * 10, "weight gradient, " .. what)
end

describe("stride-1 convolution without padding", function()
  local before, level
  before_each(function() before, level = lunet.threads(), core._conv_level() end)
  after_each(function()
    lunet.threads(before)
    core._conv_level(level)
  end)

  it("matches the direct convolution for output widths with and without their own loops", function()
    lunet.seed(131)
    core._conv_level(0)   -- im2col + GEMM for float32 too
    -- output widths 1, 3, 4, 5, 8, 12, 13, 16, 24, 32 (k 1..5): instantiated ones and others
    for _, c in ipairs {
      { 1, 2, 5, 28, 28, 3 }, { 20, 4, 5, 12, 12, 2 }, { 3, 2, 3, 6, 5, 4 }, { 2, 3, 2, 7, 6, 1 }, { 1, 1, 1, 5, 4, 2 },
      { 2, 2, 3, 9, 14, 3 }, { 1, 3, 4, 19, 19, 2 }, { 2, 2, 5, 20, 36, 2 }, { 3, 2, 1, 4, 1, 2 },
      { 1, 2, 3, 17, 15, 5 },
    } do
      for _, threads in ipairs { 1, 2 } do
        conv_case(c[1], c[2], c[3], c[4], c[5], c[6], "float64", 1e-12, threads)
        conv_case(c[1], c[2], c[3], c[4], c[5], c[6], "float32", 2e-4, threads)
      end
    end
  end)

  it("matches the direct convolution where float32 layers take the AVX2 kernels (conv_direct.c)", function()
    lunet.seed(135)
    if core._conv_level(1) < 1 then return end   -- a CPU without AVX2: nothing of theirs to test
    -- {c_in, c_out, k, h, w, batch}: rows of 8, 16, 24 and 32 (1 to 4 vectors), k 3 and 5, maps in
    -- blocks of 4 (forward) and 2 (weights) with the rest one by one, rows of one vector three at a
    -- time with the rest one by one, up to 500 weights a map (the chapter-6 second layer); and
    -- shapes just outside (rows of 40, 525 weights) that keep im2col + GEMM
    for _, c in ipairs {
      { 1, 5, 3, 34, 10, 3 }, { 1, 7, 5, 20, 20, 2 }, { 1, 20, 5, 28, 28, 3 }, { 3, 3, 5, 12, 36, 2 },
      { 2, 1, 3, 18, 34, 1 }, { 8, 2, 3, 18, 18, 2 }, { 20, 5, 5, 12, 12, 3 }, { 4, 6, 3, 12, 10, 2 },
      { 20, 40, 5, 12, 12, 2 }, { 1, 2, 5, 12, 44, 2 }, { 21, 3, 5, 9, 12, 2 },
      -- dx (input maps 3 at a time for rows of one vector, 4 at a time for longer rows, then one by one;
      -- dy rows 4 at a time, then one by one): 7 = 3 + 3 + 1 maps with 6 = 4 + 1 + 1 rows, rows of 24
      -- and 32 with 5 = 4 + 1 and 6 = 4 + 2 maps; just outside: k 4, rows of 12
      { 7, 3, 3, 8, 10, 3 }, { 5, 3, 3, 10, 26, 2 }, { 6, 2, 5, 7, 36, 2 }, { 2, 2, 4, 11, 11, 2 },
      { 2, 3, 5, 9, 16, 2 },
    } do
      for _, threads in ipairs { 1, 2 } do
        conv_case(c[1], c[2], c[3], c[4], c[5], c[6], "float32", 2e-4, threads)
        conv_case(c[1], c[2], c[3], c[4], c[5], c[6], "float64", 1e-12, threads)
      end
    end
  end)

  it("gives the same numbers on the same seed in the chapter-6 shapes twice (no state kept between calls)", function()
    lunet.threads(1)
    local function run() return H.tiny_convnet_params(132, 4, 6, 30) end
    assert.are.same(run():totable(), run():totable())
  end)
end)

describe("2x2 max-pooling's backward pass (each input written once)", function()
  -- the plain rule: dx is dy at the first maximum of each window (reading
  -- order) and 0 everywhere else, including rows and columns no window covers
  local function expected(x, dy, n, c, h, w)
    local xs, dys = x:totable(), dy:totable()
    local dx = {}
    for b = 1, n do
      dx[b] = {}
      for m = 1, c do
        dx[b][m] = {}
        for i = 1, h do
          dx[b][m][i] = {}
          for j = 1, w do dx[b][m][i][j] = 0 end
        end
        for oy = 1, h // 2 do
          for ox = 1, w // 2 do
            local bi, bj = 2 * oy - 1, 2 * ox - 1
            for i = 2 * oy - 1, 2 * oy do
              for j = 2 * ox - 1, 2 * ox do
                if xs[b][m][i][j] > xs[b][m][bi][bj] then bi, bj = i, j end
              end
            end
            dx[b][m][bi][bj] = dys[b][m][oy][ox]
          end
        end
      end
    end
    return dx
  end

  it("routes dy to the maximum and zeros the rest, odd sizes and ties included, float64 and float32", function()
    lunet.seed(134)
    for _, dtype in ipairs { "float64", "float32" } do
      for _, c in ipairs { { 2, 3, 4, 4 }, { 1, 2, 5, 7 }, { 3, 1, 24, 24 }, { 2, 2, 9, 2 }, { 1, 1, 2, 3 } } do
        local n, maps, h, w = table.unpack(c)
        local model = nn.Sequential({ nn.MaxPool(2) }, { input = { maps, h, w }, dtype = dtype })
        local x = lunet.randn(n, maps, h, w, dtype)
        if h * w > 8 then   -- ties: a window of equal values takes the first
          x[{ 1, 1, 1, 1 }], x[{ 1, 1, 1, 2 }], x[{ 1, 1, 2, 1 }], x[{ 1, 1, 2, 2 }] = 0.5, 0.5, 0.5, 0.5
        end
        local y = model:forward(x, true)
        local dy = lunet.randn(y:shape(), dtype)
        local dx = model:backward(x, dy)
        assert.are.same(expected(x, dy, n, maps, h, w), dx:totable(), dtype .. " " .. table.concat(c, "x"))
      end
    end
  end)
end)

describe("evaluation reading inputs in place", function()
  it("gives the cost and count of the copying path (inputs of another dtype are copied)", function()
    lunet.seed(133)
    local model = nn.Sequential({ nn.Linear(12, 7), nn.Sigmoid(), nn.Linear(7, 4), nn.Sigmoid() },
      { cost = "cross_entropy" })
    local n = 450   -- several chunks of 200 and a partial one
    local x32 = lunet.rand(n, 12)
    local y = lunet.zeros(n, 4)
    for i = 1, n do y[{ i, i % 4 + 1 }] = 1 end
    local cost32, correct32 = core.evaluate(model:net(), { x = x32, y = y })   -- float32 net, float32 data: in place
    local cost64, correct64 = core.evaluate(model:net(), { x = x32:double(), y = y })   -- converted: copied
    assert.are.equal(correct64, correct32)
    assert.are.equal(cost64, cost32)
    -- the count alone, without the cost: the same count, no cost
    local none, correct = core.evaluate(model:net(), { x = x32, y = y }, { cost = false })
    assert.is_nil(none)
    assert.are.equal(correct32, correct)
    assert.are.equal(correct32, lunet.train.correct(model, { x = x32, y = y }))
    -- and it left the network's own input buffer alone: a forward pass still works on new data
    local out = model:forward(x32:narrow(1, 1, 3))
    assert.are.same({ 3, 4 }, out:shape())
  end)
end)

describe("convolutions in evaluation (cache-sized slices of the chunk)", function()
  local before
  before_each(function() before = lunet.threads() end)
  after_each(function() lunet.threads(before) end)

  it("give the cost and count of the plain forward pass over several chunks, on one and two threads", function()
    for _, dtype in ipairs { "float64", "float32" } do
      for _, threads in ipairs { 1, 2 } do
        lunet.threads(threads)
        lunet.seed(134)
        -- conv 1's columns are 115 KB an image in float64 (slices of 4), conv 2's 51 KB (slices of 10)
        local model = nn.Sequential({ nn.Conv2d(1, 4, 5), nn.MaxPool(2), nn.ReLU(), nn.Conv2d(4, 6, 5, { pad = 1 }),
          nn.ReLU(), nn.Reshape(6 * 10 * 10), nn.Linear(600, 3), nn.Softmax() },
          { input = { 1, 28, 28 }, cost = "log_likelihood", dtype = dtype })
        local n = 437   -- two chunks of 200 and a partial one, none a multiple of the slices
        local x = lunet.rand(n, 1, 28, 28, dtype)
        local y = lunet.zeros(n, 3)
        for i = 1, n do y[{ i, i % 3 + 1 }] = 1 end
        local out = model:forward(x)
        local cost, correct = 0, 0
        for i = 1, n do
          local best = 1
          for j = 2, 3 do if out[{ i, j }] > out[{ i, best }] then best = j end end
          if best == i % 3 + 1 then correct = correct + 1 end
          cost = cost - math.log(out[{ i, i % 3 + 1 }])
        end
        local got_cost, got_correct = core.evaluate(model:net(), { x = x, y = y })
        local what = dtype .. ", " .. threads .. " thread(s)"
        assert.are.equal(correct, got_correct, what)
        local tol = dtype == "float64" and 1e-12 or 1e-5
        assert.is_true(math.abs(got_cost - cost / n) <= tol * math.abs(cost / n), what)
      end
    end
  end)
end)
