-- Behaviour classes that mutants of the third seed showed unchecked: GEMM
-- with an empty inner dimension and with operands of mixed dtypes, pooling
-- gradients over windows of zeros, which saved models load as a Network,
-- network3's mini-batch size, a lone convolution's parameters across its
-- provisional build, and the shape option of flat images.
local lunet = require "lunet"
local core = require "lunet.core"
local H = require "spec.helpers"
local nn = lunet.nn
local plot = lunet.plot

describe("seed 3 survivors (regression)", function()
  describe("gemm", function()
    for _, dtype in ipairs { "float32", "float64" } do
      for _, fn in ipairs { "gemm", "_gemm_ref" } do
        it(("%s %s: an empty inner dimension leaves C = beta C, for every transpose flag"):format(dtype, fn), function()
          local gemm = fn == "gemm" and lunet.gemm or core._gemm_ref
          for _, ta in ipairs { false, true } do
            for _, tb in ipairs { false, true } do
              for _, beta in ipairs { 2, 0, -0.5 } do
                local a = ta and lunet.zeros(0, 3, dtype) or lunet.zeros(3, 0, dtype)
                local b = tb and lunet.zeros(4, 0, dtype) or lunet.zeros(0, 4, dtype)
                local c = lunet.tensor({ { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { -1, -2, -3, -4 } }, dtype)
                local want = H.map(c:totable(), function(v) return beta * v end)
                gemm(a, b, c, { alpha = 3, beta = beta, transA = ta, transB = tb })
                H.near(c, want, 0, ("flags %s %s beta %g"):format(ta, tb, beta))
              end
            end
          end
        end)
      end
      it(dtype .. ": matmul with an empty inner dimension is all zeros", function()
        local p = lunet.matmul(lunet.zeros(3, 0, dtype), lunet.zeros(0, 2, dtype))
        assert.are.same({ 3, 2 }, p:shape())
        H.near(p, { { 0, 0 }, { 0, 0 }, { 0, 0 } }, 0)
      end)
    end

    it("refuses operands of mixed dtypes in every position", function()
      local f, d = "float32", "float64"
      for _, dts in ipairs { { f, f, d }, { f, d, f }, { d, f, f }, { d, d, f }, { f, d, d }, { d, f, d } } do
        local a, b, c = lunet.ones(2, 3, dts[1]), lunet.ones(3, 2, dts[2]), lunet.ones(2, 2, dts[3])
        for _, gemm in ipairs { lunet.gemm, core._gemm_ref } do
          local msg = H.err(gemm, a, b, c)
          assert.truthy(msg:find("dtype"), msg)
          H.near(c, { { 1, 1 }, { 1, 1 } }, 0, "C is untouched")
        end
      end
    end)
  end)

  describe("pooling gradients", function()
    -- A batch of one 1 x 4 x 4 image whose top-left 2 x 2 window is all zeros.
    local img = {
      { 0, 0, 1, -2 },
      { 0, 0, 3, 0.5 },
      { -1, 2, 0, 0 },
      { 4, 0, 0, 1 },
    }
    for _, dtype in ipairs { "float32", "float64" } do
      it(dtype .. ": L2 pooling passes no gradient (and no NaN) back through a window of zeros", function()
        local pool = nn.Sequential({ nn.L2Pool(2) }, { dtype = dtype })
        local x = lunet.tensor({ { img } }, dtype)
        local y = pool:forward(x)
        local yt = y:totable()[1][1]
        assert.are.equal(0, yt[1][1])
        local dy = lunet.ones(1, 1, 2, 2, dtype)
        local dx = pool:backward(x, dy):totable()[1][1]
        -- d sqrt(sum x^2) / dx = x / y, and 0 where the window is all zeros
        local want = {}
        for r = 1, 4 do
          want[r] = {}
          for c = 1, 4 do
            local yw = yt[(r + 1) // 2][(c + 1) // 2]
            want[r][c] = yw > 0 and img[r][c] / yw or 0
          end
        end
        H.near(dx, want, dtype == "float64" and 1e-12 or 1e-6)
      end)
    end

    for _, kind in ipairs { "MaxPool", "AvgPool", "L2Pool" } do
      it(kind .. " after a convolution passes a gradient check (overlapping and plain windows)", function()
        lunet.seed(5)
        local x = lunet.randn(2, 1, 6, 6, "float64")
        for _, stride in ipairs { 2, 1 } do
          local m = nn.Sequential { nn.Conv2d(1, 2, 3), nn[kind](2, stride) }
          local worst = lunet.gradcheck(m, x)
          assert(worst < 1e-6, ("%s stride %d: %g"):format(kind, stride, worst))
        end
      end)
    end
  end)

  describe("saved models", function()
    local path = H.tmpname(".lunet")
    after_each(function() os.remove(path) end)

    local function reload(m)
      m:save(path)
      return lunet.load(path)
    end

    it("load as a Network only when the layers alternate Linear and activation and there is a cost", function()
      lunet.seed(2)
      local x = lunet.randn(3, 4)
      local cases = {
        { nn.Sequential({ nn.Linear(4, 5), nn.Sigmoid(), nn.Linear(5, 2), nn.Sigmoid() }, { cost = "quadratic" }),
          "Network" },
        { nn.Sequential({ nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2), nn.Softmax() }, { cost = "log_likelihood" }),
          "Network" },
        -- no cost
        { nn.Sequential { nn.Linear(4, 5), nn.Sigmoid(), nn.Linear(5, 2), nn.Sigmoid() }, "Sequential" },
        -- ends in a Linear layer (an odd count), with a cost
        { nn.Sequential({ nn.Linear(4, 5), nn.Sigmoid(), nn.Linear(5, 2) }, { cost = "quadratic" }), "Sequential" },
        -- two activations in a row
        { nn.Sequential({ nn.Linear(4, 2), nn.Sigmoid(), nn.Tanh(), nn.Sigmoid() }, { cost = "quadratic" }),
          "Sequential" },
        -- a Dropout where an activation belongs
        { nn.Sequential({ nn.Linear(4, 5), nn.Dropout(0.5), nn.Linear(5, 2), nn.Sigmoid() }, { cost = "quadratic" }),
          "Sequential" },
      }
      for i, case in ipairs(cases) do
        local m, kind = case[1], case[2]
        local want = m:predict(x)
        local back = reload(m)
        assert.are.equal(kind, getmetatable(back).__name, "case " .. i)
        H.near(back:predict(x), want, 0, "case " .. i)
        if kind == "Network" then
          assert.are.same({ 4, 5, 2 }, back.sizes, "case " .. i)
          assert.are.equal(3, back.num_layers, "case " .. i)
        end
      end
    end)
  end)

  describe("network3.Network", function()
    local n3 = lunet.network3
    local function blocks()
      return { n3.FullyConnectedLayer { n_in = 4, n_out = 3 }, n3.SoftmaxLayer { n_in = 3, n_out = 2 } }
    end

    it("takes a mini-batch size of 10 when none is given", function()
      assert.are.equal(10, n3.Network(blocks()).mini_batch_size)
      assert.are.equal(7, n3.Network(blocks(), 7).mini_batch_size)
    end)

    it("refuses a mini-batch size that is not a positive integer", function()
      for _, bad in ipairs { 0, -3, 2.5, 4.0, "10", true } do
        local msg = H.err(n3.Network, blocks(), bad)
        assert.truthy(msg:find("mini_batch_size must be a positive integer", 1, true), msg)
      end
    end)
  end)

  describe("a lone Conv2d", function()
    it("keeps the parameters taken before its first forward when the images are kernel-sized", function()
      lunet.seed(4)
      local conv = nn.Conv2d(1, 2, 3)
      local params = conv:parameters()
      assert.are.equal("weight", params[1].name)
      params[1].value:fill(0)
      params[2].value:copy(lunet.tensor { 0.25, -1.5 })
      local y = conv:forward(lunet.randn(2, 1, 3, 3))
      -- weights of zero: every output is its map's bias
      H.near(y, { { { { 0.25 } }, { { -1.5 } } }, { { { 0.25 } }, { { -1.5 } } } }, 0)
      params[2].value:fill(2)
      H.near(conv:forward(lunet.randn(1, 1, 3, 3)), { { { { 2 } }, { { 2 } } } }, 0)
    end)

    it("carries its parameters over when the first images are larger than the kernel", function()
      lunet.seed(4)
      local conv = nn.Conv2d(1, 1, 2)
      local params = conv:parameters()
      params[1].value:copy(lunet.tensor { { { { 1, 0 }, { 0, -1 } } } })
      params[2].value:fill(0.5)
      local x = lunet.tensor { { { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } } } }
      -- x[i][j] - x[i+1][j+1] + 0.5 = -4 + 0.5
      H.near(conv:forward(x), { { { { -3.5, -3.5 }, { -3.5, -3.5 } } } }, 0)
    end)
  end)

  describe("flat images", function()
    it("take a shape of two whole numbers (integers) only", function()
      local flat = { 1, 2, 3, 4, 5, 6 }
      assert.truthy(plot.images { images = { flat }, shape = { 2, 3 } }:find("<svg", 1, true))
      for _, bad in ipairs { { 2.0, 3 }, { 2, 3.0 }, { 2.5, 3 }, { 2, "3" }, { "2", 3 }, { 2 } } do
        local msg = H.err(plot.images, { images = { flat }, shape = bad })
        assert.truthy(msg:find("shape must be {rows, cols} with whole numbers", 1, true), msg)
      end
    end)
  end)
end)
