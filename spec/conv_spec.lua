local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"
local nn = lunet.nn

local TOL = 1e-6

local function check(model, x, y)
  local worst, where = lunet.gradcheck(model, x, y)
  assert(worst < TOL, ("gradient check: %.3g at layer %d %s[%d] (analytic %.9g, numeric %.9g)"):format(
    worst, where.layer, where.param, where.element, where.analytic, where.numeric))
end

describe("convolution", function()
  it("matches a direct, naive convolution on random data for many shapes", function()
    lunet.seed(51)
    local cases = 0
    for c_in = 1, 3 do
      for _, k in ipairs { 1, 2, 3, 5 } do
        for stride = 1, 3 do
          for pad = 0, 2 do
            local h, w = 5 + (c_in * 3 + k) % 6, 4 + (stride * 5 + pad) % 7   -- odd and even sizes
            if h + 2 * pad >= k and w + 2 * pad >= k then
              local c_out, batch = 1 + (k + pad) % 4, 1 + (c_in + stride) % 3
              local layer = nn.Conv2d(c_in, c_out, k, { stride = stride, pad = pad })
              local model = nn.Sequential({ layer }, { input = { c_in, h, w }, dtype = "float64" })
              local x = lunet.randn(batch, c_in, h, w, "float64")
              local y = model:forward(x)
              local ref = core._conv_forward_ref(x, layer.weight, layer.bias, stride, pad)
              assert.are.same(ref:shape(), y:shape())
              H.near(y, ref, 1e-12, ("forward c_in %d k %d stride %d pad %d"):format(c_in, k, stride, pad))
              local dy = lunet.randn(y:shape(), "float64")
              model:zero_grad()
              local dx = model:backward(x, dy)
              local rdx, rdw = core._conv_backward_ref(x, layer.weight, dy, stride, pad)
              H.near(dx, rdx, 1e-12, "input gradient (180-degree-rotated kernels)")
              H.near(layer.grad_weight, rdw, 1e-12, "weight gradient")
              H.near(layer.grad_bias, dy:sum(1):sum(2):sum(2), 1e-12, "bias gradient")
              cases = cases + 1
            end
          end
        end
      end
    end
    assert.is_true(cases > 100, cases .. " cases")
  end)

  it("agrees in float32 too", function()
    lunet.seed(52)
    local layer = nn.Conv2d(3, 5, 3, { pad = 1 })
    local model = nn.Sequential({ layer }, { input = { 3, 9, 7 } })
    local x = lunet.randn(4, 3, 9, 7)
    H.near(model:forward(x), core._conv_forward_ref(x, layer.weight, layer.bias, 1, 1), 1e-5)
  end)

  it("gives the reference's numbers however many threads share a batch", function()
    local before = lunet.threads()
    lunet.seed(53)
    local layer = nn.Conv2d(3, 4, 3, { pad = 1, stride = 2 })
    local model = nn.Sequential({ layer }, { input = { 3, 9, 8 }, dtype = "float64" })
    for _, case in ipairs { { 1, 1 }, { 2, 5 }, { 3, 7 }, { 4, 3 }, { 2, 2 } } do
      local threads, batch = case[1], case[2]
      lunet.threads(threads)
      local x = lunet.randn(batch, 3, 9, 8, "float64")
      local y = model:forward(x, true)
      H.near(y, core._conv_forward_ref(x, layer.weight, layer.bias, 2, 1), 1e-12, "forward, " .. threads .. " threads")
      local dy = lunet.randn(y:shape(), "float64")
      -- the thread count changes between forward and backward: the backward
      -- pass must still find each part's columns where the forward left them
      if threads == 4 then lunet.threads(1) end
      model:zero_grad()
      local dx = model:backward(x, dy)
      local rdx, rdw = core._conv_backward_ref(x, layer.weight, dy, 2, 1)
      H.near(dx, rdx, 1e-12, "input gradient, " .. threads .. " threads")
      H.near(layer.grad_weight, rdw, 1e-12, "weight gradient, " .. threads .. " threads")
      H.near(layer.grad_bias, dy:sum(1):sum(2):sum(2), 1e-12, "bias gradient, " .. threads .. " threads")
    end
    lunet.threads(before)
  end)

  it("trains to the same numbers from the same seed on the same thread count, to rounding on another", function()
    local before = lunet.threads()
    local function run()
      lunet.seed(54)
      local model = nn.Sequential({ nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool(2), nn.Reshape(27), nn.Linear(27, 3),
        nn.Softmax() }, { input = { 1, 8, 8 }, cost = "log_likelihood" })
      local x = lunet.rand(40, 1, 8, 8)
      local y = lunet.zeros(40, 3)
      for i = 1, 40 do y[{ i, i % 3 + 1 }] = 1 end
      lunet.train.sgd(model, { x = x, y = y }, { epochs = 2, batch = 10, eta = 0.1, verbose = false, progress = false })
      return model:flat_parameters():clone()
    end
    lunet.threads(2)
    local a, b = run(), run()
    assert.are.same(a:totable(), b:totable())
    lunet.threads(1)
    H.near(run(), a, 1e-4, "one thread against two")
    lunet.threads(before)
  end)

  it("shares weights: one kernel and one bias per map", function()
    local layer = nn.Conv2d(2, 3, 5)
    assert.are.same({ 3, 2, 5, 5 }, layer.weight:shape())
    assert.are.same({ 3 }, layer.bias:shape())
  end)

  it("passes gradient checks: stride, padding, odd sizes, several input maps", function()
    lunet.seed(53)
    for _, c in ipairs {
      { 1, 2, 3, 1, 0, 7, 7 }, { 2, 3, 3, 2, 1, 9, 8 }, { 3, 2, 2, 1, 2, 5, 6 }, { 2, 2, 5, 3, 2, 11, 9 },
      -- 256 and more output positions an image: the backward pass then goes image by image
      { 1, 2, 3, 1, 0, 18, 18 }, { 2, 2, 3, 1, 1, 17, 16 },
    } do
      local c_in, c_out, k, stride, pad, h, w = table.unpack(c)
      local model = nn.Sequential({ nn.Conv2d(c_in, c_out, k, { stride = stride, pad = pad }), nn.Tanh() },
        { input = { c_in, h, w } })
      check(model, lunet.randn(3, c_in, h, w, "float64"))
    end
  end)

  it("takes flat images when the network declares its input shape", function()
    local model = nn.Sequential({ nn.Conv2d(1, 2, 3), nn.MaxPool(2), nn.Linear(2 * 13 * 13, 3) },
      { input = { 1, 28, 28 } })
    assert.are.same({ 5, 3 }, model:forward(lunet.rand(5, 784)):shape())
  end)

  it("refuses what does not fit with clear errors", function()
    assert.matches("takes images %(channels, height, width%)",
      H.err(nn.Sequential, { nn.Linear(4, 9), nn.Conv2d(1, 2, 3) }))
    assert.matches("expects 3 input maps but receives 1",
      H.err(nn.Sequential, { nn.Conv2d(3, 2, 3) }, { input = { 1, 8, 8 } }))
    assert.matches("a 9x9 kernel does not fit 8x8 images",
      H.err(nn.Sequential, { nn.Conv2d(1, 2, 9) }, { input = { 1, 8, 8 } }))
    assert.matches("kernel size must be a positive integer", H.err(nn.Conv2d, 1, 2, 0))
    assert.matches("pad must be an integer >= 0", H.err(nn.Conv2d, 1, 2, 3, { pad = -1 }))
  end)
end)

describe("pooling", function()
  local function ref_pool(x, kind, k, stride)   -- plain Lua over nested tables
    local t, out = x:totable(), {}
    for b = 1, #t do
      out[b] = {}
      for c = 1, #t[b] do
        out[b][c] = {}
        local img = t[b][c]
        for oy = 1, (#img - k) // stride + 1 do
          out[b][c][oy] = {}
          for ox = 1, (#img[1] - k) // stride + 1 do
            local best, sum, sq = -math.huge, 0, 0
            for dy = 0, k - 1 do
              for dx = 0, k - 1 do
                local v = img[(oy - 1) * stride + 1 + dy][(ox - 1) * stride + 1 + dx]
                best, sum, sq = math.max(best, v), sum + v, sq + v * v
              end
            end
            out[b][c][oy][ox] = kind == "max" and best or kind == "avg" and sum / (k * k) or math.sqrt(sq)
          end
        end
      end
    end
    return out
  end

  for kind, make in pairs { max = nn.MaxPool, avg = nn.AvgPool, l2 = nn.L2Pool } do
    it(kind .. " pooling matches a plain loop and passes gradient checks", function()
      lunet.seed(54)
      for _, c in ipairs { { 2, 2, 8, 8 }, { 3, 2, 9, 7 }, { 2, 1, 5, 6 }, { 3, 3, 9, 9 } } do
        local k, stride, h, w = table.unpack(c)
        local model = nn.Sequential({ make(k, stride) }, { input = { 2, h, w }, dtype = "float64" })
        local x = lunet.randn(3, 2, h, w, "float64")
        H.near(model:forward(x), ref_pool(x, kind, k, stride), 1e-12)
        check(nn.Sequential({ nn.Conv2d(2, 2, 1), make(k, stride) }, { input = { 2, h, w } }), x)
      end
    end)
  end

  it("refuses windows that do not fit", function()
    assert.matches("pooling window does not fit", H.err(nn.Sequential, { nn.MaxPool(9) }, { input = { 1, 8, 8 } }))
    assert.matches("takes images", H.err(nn.Sequential, { nn.Linear(4, 4), nn.MaxPool(2) }))
  end)
end)

describe("batch normalisation", function()
  it("normalises each feature over the mini-batch in training", function()
    lunet.seed(55)
    local bn = nn.BatchNorm()
    local model = nn.Sequential({ bn }, { input = { 4 }, dtype = "float64" }):training()
    local y = model:forward(lunet.randn({ 50, 4 }, { mean = 3, std = 2, dtype = "float64" }))
    H.near(y:mean(1), { 0, 0, 0, 0 }, 1e-12)
    H.near(y:var(1), { 1, 1, 1, 1 }, 1e-4)
    H.near(bn.running_mean, y:mean(1) * 0 + 0.3, 0.1)       -- 0.1 of the batch mean (about 3)
  end)

  it("normalises each map over batch and positions after a convolution", function()
    local model = nn.Sequential({ nn.Conv2d(1, 3, 3), nn.BatchNorm() }, { input = { 1, 6, 6 }, dtype = "float64" })
    model:training()
    local y = model:forward(lunet.randn(5, 1, 6, 6, "float64"))
    local per_map = y:transpose(1, 2):reshape(3, 5 * 16)
    H.near(per_map:mean(2), { 0, 0, 0 }, 1e-12)
    H.near(per_map:var(2), { 1, 1, 1 }, 1e-3)
  end)

  it("uses the running averages in evaluation", function()
    local bn = nn.BatchNorm({ momentum = 1 })   -- running statistics = the last batch's
    local model = nn.Sequential({ bn }, { input = { 2 }, dtype = "float64" })
    local x = lunet.tensor({ { 1, 10 }, { 3, 30 } }, "float64")
    model:training():forward(x)
    H.near(bn.running_mean, { 2, 20 }, 1e-12)
    H.near(bn.running_var, { 2, 200 }, 1e-12)    -- unbiased: m / (m - 1)
    local y = model:evaluate():forward(x)
    H.near(y, { { -1 / math.sqrt(2 + 1e-5), -10 / math.sqrt(200 + 1e-5) },
      { 1 / math.sqrt(2 + 1e-5), 10 / math.sqrt(200 + 1e-5) } }, 1e-9)
  end)

  it("keeps its running averages while gradients are only measured", function()
    local bn = nn.BatchNorm({ momentum = 1 })
    local model = nn.Sequential({ nn.Linear(2, 2), bn, nn.Sigmoid() }, { input = { 2 }, cost = "quadratic" })
    model:training():forward(lunet.tensor { { 1, 10 }, { 3, 30 } })
    local mean, var = bn.running_mean:totable(), bn.running_var:totable()
    local data = { x = lunet.randn(20, 2) * 5, y = lunet.rand(20, 2) }
    lunet.train.gradient_norms(model, data)
    lunet.gradcheck(model:clone("float64"), lunet.randn(4, 2, "float64"), lunet.rand(4, 2, "float64"))
    assert.are.same(mean, bn.running_mean:totable())
    assert.are.same(var, bn.running_var:totable())
  end)

  it("passes gradient checks in training mode, fully connected and convolutional", function()
    lunet.seed(56)
    check(nn.Sequential { nn.Linear(4, 5), nn.BatchNorm(), nn.Sigmoid(), nn.Linear(5, 3) },
      lunet.randn(6, 4, "float64"))
    check(nn.Sequential({ nn.Conv2d(2, 3, 3), nn.BatchNorm(), nn.ReLU(), nn.MaxPool(2) }, { input = { 2, 8, 8 } }),
      lunet.randn(4, 2, 8, 8, "float64"))
  end)

  it("checks its options", function()
    assert.matches("eps must be > 0", H.err(nn.BatchNorm, { eps = 0 }))
    assert.matches("momentum must be in", H.err(nn.BatchNorm, { momentum = 2 }))
  end)
end)
