-- Hostile option tables, nn constructors and plots: every misuse is a
-- clean Lua error naming the problem (or gives the right result), never a
-- silently dropped option, a crash, a hang or a wrong chart.

local lunet = require "lunet"
local core = require "lunet.core"
local plot = require "lunet.plot"
local H = require "spec.helpers"
local nn = lunet.nn
local n3 = lunet.network3

-- The error message of f(...), which must fail.
local function err(f, ...)
  return H.err(f, ...)
end

local function has(msg, text)
  assert(msg:find(text, 1, true), ("expected %q in the message %q"):format(text, msg))
end

local function sigmoid(z) return 1 / (1 + math.exp(-z)) end
local function tanh(z) return 2 * sigmoid(2 * z) - 1 end

local function tmpdir()
  local base = os.tmpname()
  os.remove(base)
  assert(os.execute("mkdir -p '" .. base .. "'"))
  return base
end

describe("unknown options in Lua constructors are errors listing the valid ones", function()
  local cases = {
    { "lunet.Network", function() return lunet.Network({ 4, 3, 2 }, { dropout = 0.5 }) end,
      "Network: unknown option 'dropout' (valid: activation, cost, dtype, init, output)" },
    { "lunet.Network, single table", function() return lunet.Network { 4, 3, 2, dropuot = 0.5 } end,
      "Network: unknown option 'dropuot'" },
    { "nn.Linear", function() return nn.Linear(4, 3, { inti = "he" }) end,
      "nn.Linear: unknown option 'inti' (valid: init)" },
    { "nn.Conv2d", function() return nn.Conv2d(1, 2, 3, { strides = 2 }) end,
      "nn.Conv2d: unknown option 'strides' (valid: init, pad, stride)" },
    { "nn.Softmax", function() return nn.Softmax { temperature = 2 } end,
      "nn.Softmax: unknown option 'temperature' (valid: none)" },
    { "nn.ReLU", function() return nn.ReLU { slope = 0.1 } end, "nn.ReLU: unknown option 'slope'" },
    { "nn.Sigmoid", function() return nn.Sigmoid { beta = 2 } end, "nn.Sigmoid: unknown option 'beta'" },
    { "nn.Tanh", function() return nn.Tanh { scale = 2 } end, "nn.Tanh: unknown option 'scale'" },
    { "nn.BatchNorm", function() return nn.BatchNorm { epsilon = 1e-3 } end,
      "nn.BatchNorm: unknown option 'epsilon' (valid: eps, momentum)" },
    { "nn.Sequential", function() return nn.Sequential({ nn.Linear(2, 2) }, { cots = "quadratic" }) end,
      "nn.Sequential: unknown option 'cots' (valid: cost, dtype, input)" },
    { "an init table", function() return nn.Linear(4, 3, { init = { w_std = 1, bstd = 0 } }) end,
      "init table: unknown option 'bstd' (valid: b_std, w_std)" },
    { "network3.ConvPoolLayer", function()
        return n3.ConvPoolLayer { image_shape = { 1, 28, 28 }, filter_shape = { 20, 1, 5, 5 }, pool_size = { 2, 2 } }
      end, "network3.ConvPoolLayer: unknown option 'pool_size'" },
    { "network3.FullyConnectedLayer",
      function() return n3.FullyConnectedLayer { n_in = 4, n_out = 2, dropout = 0.5 } end,
      "network3.FullyConnectedLayer: unknown option 'dropout' (valid: activation, n_in, n_out, p_dropout)" },
    { "network3.SoftmaxLayer", function() return n3.SoftmaxLayer { n_in = 4, n_out = 2, activation = "relu" } end,
      "network3.SoftmaxLayer: unknown option 'activation' (valid: n_in, n_out, p_dropout)" },
    { "network3.Network",
      function() return n3.Network({ n3.SoftmaxLayer { n_in = 4, n_out = 2 } }, 10, { dtpye = "x" }) end,
      "network3.Network: unknown option 'dtpye' (valid: dtype)" },
    { "ensemble.train",
      function() return lunet.ensemble.train(1, function() return nn.Linear(1, 1) end, { sead = 3 }) end,
      "ensemble.train: unknown option 'sead' (valid: seed)" },
    { "gradcheck", function() return lunet.gradcheck(nn.Linear(2, 2), lunet.randn(3, 2), nil, { epsilon = 1e-4 }) end,
      "gradcheck: unknown option 'epsilon' (valid: cost, eps, input, lambda, n, reg)" },
    { "data.fashion_mnist", function() return lunet.data.fashion_mnist { directory = "/tmp" } end,
      "lunet.data.fashion_mnist: unknown option 'directory' (valid: dir)" },
    { "data.mnist", function() return lunet.data.mnist { path = "/tmp" } end,
      "lunet.data.mnist: unknown option 'path' (valid: dir)" },
    { "data.download_mnist", function() return lunet.data.download_mnist { mirrors = {} } end,
      "download_mnist: unknown option 'mirrors' (valid: base_urls, dir, files, quiet)" },
  }
  for _, c in ipairs(cases) do
    it(c[1], function() has(err(c[2]), c[3]) end)
  end

  it("lists every unknown key, sorted, whatever the table's order", function()
    has(err(nn.Conv2d, 1, 2, 3, { zz = 1, aa = 2, stride = 1 }), "nn.Conv2d: unknown options 'aa', 'zz'")
  end)

  it("points at the caller's line", function()
    local ok, msg = pcall(function() nn.Linear(4, 3, { inti = "he" }) end)
    assert.is_false(ok)
    has(msg, "hostile_options_spec.lua:")
  end)
end)

describe("unknown options in the binding are errors listing the valid ones", function()
  local function cnet()
    return nn.Sequential({ nn.Linear(2, 2), nn.Sigmoid() }, { cost = "quadratic" }):net()
  end
  local function set()
    return { x = lunet.randn(4, 2), y = lunet.rand(4, 2) }
  end
  local cases = {
    { "zeros", function() return lunet.zeros(2, 3, { dtyp = "float64" }) end,
      "zeros: unknown option 'dtyp' (valid: dtype)" },
    { "ones", function() return lunet.ones({ 2, 3 }, { 1 }) end, "ones: option keys must be names" },
    { "full", function() return lunet.full(1, 2, { dtype = "float64", fill = 2 }) end, "full: unknown option 'fill'" },
    { "rand", function() return lunet.rand(2, { low = 0 }) end, "rand: unknown option 'low' (valid: dtype, min, max)" },
    { "randn", function() return lunet.randn(2, { sigma = 2 }) end,
      "randn: unknown option 'sigma' (valid: dtype, mean, std)" },
    { "gemm", function() return lunet.gemm(lunet.ones(2, 2), lunet.ones(2, 2), lunet.zeros(2, 2), { tranA = true }) end,
      "gemm: unknown option 'tranA' (valid: alpha, beta, transA, transB)" },
    { "net_new", function() return core.net_new({ { type = "dense", n_in = 2, n_out = 2 } }, { inptu = { 2 } }) end,
      "net_new: unknown option 'inptu' (valid: input, dtype, cost)" },
    { "net_new's layer specs", function()
        return core.net_new({ { type = "dense", n_in = 2, n_out = 2, nout = 3 } }, { input = { 2 } })
      end, "net_new: layer spec: unknown option 'nout'" },
    { "Net:gradcheck", function() return cnet():gradcheck(lunet.randn(2, 2, "float64"), lunet.rand(2, 2, "float64"),
        { epsilon = 1 }) end, "gradcheck: unknown option 'epsilon' (valid: reg, c, eps, input)" },
    { "evaluate", function() return core.evaluate(cnet(), set(), { lamda = 1 }) end,
      "evaluate: unknown option 'lamda' (valid: reg, lambda, cost)" },
    { "train_epoch", function()
        local net = cnet()
        return core.train_epoch(net, core.optimizer(net, { eta = 0.1 }), set(), 2, { progres = false })
      end, "train_epoch: unknown option 'progres' (valid: progress, label, run_seconds, epochs_left, every, monitor)" },
  }
  for _, c in ipairs(cases) do
    it(c[1], function() has(err(c[2]), c[3]) end)
  end
end)

describe("option arguments that are not tables", function()
  it("are errors in Lua constructors", function()
    has(err(nn.Linear, 4, 3, "he"), "nn.Linear: options must be a table, got string")
    has(err(nn.Conv2d, 1, 2, 3, 2), "nn.Conv2d: options must be a table, got number")
    has(err(lunet.Network, { 2, 2 }, "tanh"), "Network: options must be a table, got string")
    has(err(nn.ReLU, 0.1), "nn.ReLU: options must be a table, got number")
    has(err(n3.FullyConnectedLayer, 5), "network3.FullyConnectedLayer: expected a table of arguments, got number")
  end)

  it("are errors in the binding", function()
    has(err(lunet.gemm, lunet.ones(2, 2), lunet.ones(2, 2), lunet.zeros(2, 2), 5),
      "gemm: options must be a table, got number")
    has(err(core.evaluate, nn.Sequential({ nn.Linear(2, 1), nn.Sigmoid() }, { cost = "quadratic" }):net(),
      { x = lunet.zeros(1, 2), y = lunet.zeros(1, 1) }, "l2"), "evaluate: options must be a table, got string")
  end)

  it("are errors in plots", function()
    has(err(plot.line, "title"), "lunet.plot.line: expected a table of options, got string")
    has(err(plot.monitor, { training_cost = { 1 } }, 3), "lunet.plot.monitor: expected a table of options, got number")
  end)
end)

describe("option values of the wrong type", function()
  it("numbers and booleans in the binding", function()
    local a, b, c = lunet.ones(2, 2), lunet.ones(2, 2), lunet.zeros(2, 2)
    has(err(lunet.gemm, a, b, c, { alpha = "2" }), "option 'alpha' must be a number")
    has(err(lunet.gemm, a, b, c, { transA = 1 }), "option 'transA' must be true or false, got number")
    has(err(lunet.randn, { 2 }, { "a", 1 }), "randn: option 'mean' must be a number")
    has(err(lunet.rand, 2, { max = {} }), "option 'max' must be a number")
  end)

  it("init stds, costs, dtypes and input shapes in Lua", function()
    has(err(nn.Linear, 4, 3, { init = { w_std = "big" } }), "init.w_std must be a finite number >= 0, got big")
    has(err(nn.Linear, 4, 3, { init = { w_std = 1, b_std = 0 / 0 } }), "init.b_std must be a finite number >= 0")
    has(err(nn.Sequential, { nn.ReLU() }, { cost = "hinge" }), "nn.Sequential: unknown cost 'hinge'")
    has(err(nn.Sequential, { nn.ReLU() }, { dtype = "float16" }), "nn.Sequential: unknown dtype 'float16'")
    has(err(nn.Sequential, { nn.ReLU() }, { input = { 0 } }), "input size 1 must be a positive integer, got 0")
    has(err(nn.Sequential, { nn.ReLU() }, { input = 784 }), "input must be a list of 1 to 3 sizes")
  end)

  it("activation lists, seeds, dropout and block sizes", function()
    has(err(lunet.Network, { 4, 3, 2 }, { activation = { "tanh" } }), "activation lists 1 names for 2 layers")
    has(err(lunet.ensemble.train, 1, function() return nn.Linear(1, 1) end, { seed = 1.5 }),
      "ensemble.train: seed must be an integer, got 1.5")
    has(err(n3.SoftmaxLayer, { n_in = 4, n_out = 2, p_dropout = "half" }), "p_dropout must be in [0, 1), got half")
    has(err(n3.FullyConnectedLayer, { n_in = 4 }), "network3.FullyConnectedLayer: 'n_out' is required")
    has(err(n3.ConvPoolLayer, { image_shape = { 1, 28, 28 }, filter_shape = { 20, 1, 5 } }),
      "filter_shape must be a list of integers")
    has(err(lunet.gradcheck, nn.Linear(2, 2), lunet.randn(3, 2), nil, { lambda = -1 }), "lambda must be a number >= 0")
    has(err(lunet.gradcheck, nn.Linear(2, 2), lunet.randn(3, 2), nil, { lambda = 1, n = 0 }),
      "n must be a positive integer, got 0")
    has(err(lunet.gradcheck, nn.Linear(2, 2), lunet.randn(3, 2), nil, { eps = 0 / 0 }),
      "eps must be a number in (0, 1)")
  end)

  it("cli.parse refuses a malformed option list", function()
    local cli = require "lunet.cli"
    has(err(cli.parse, {}, { { "epochs", {}, "training epochs" } }),
      "option 'epochs' needs a number, string or boolean")
    has(err(cli.parse, {}, { { 42, 1 } }), "option 1 must be { name, default, help }")
    has(err(cli.parse, { 5 }, { { "epochs", 1 } }), "argv[1] is not a string")
    assert.are.same({ epochs = 3, relu = true },
      cli.parse({ "--epochs", "3", "--relu" }, { { "epochs", 1 }, { "relu", false } }))
  end)
end)

describe("option tables with metamethods", function()
  it("Lua checks walk the table raw: a raising __pairs never runs", function()
    lunet.seed(3)
    local o = setmetatable({ init = "he" }, { __pairs = function() error("__pairs ran") end })
    local layer = nn.Linear(50, 40, o)
    assert.are.equal(0, layer.bias:abs():sum())              -- "he" starts biases at 0
    local std = layer.weight:std()
    assert(math.abs(std - math.sqrt(2 / 50)) < 0.02, "weights do not have He's std: " .. std)
  end)

  it("an __index that raises in a Lua option table is a clean error", function()
    local o = setmetatable({}, { __index = function(_, k) error("no option " .. tostring(k)) end })
    has(err(nn.Conv2d, 1, 2, 3, o), "no option")
  end)

  it("an __index that closes the input tensor leaves gradcheck with a clean error", function()
    local x = lunet.randn(3, 2)
    local o = setmetatable({}, { __index = function() x:close(); collectgarbage() end })
    has(err(lunet.gradcheck, nn.Linear(2, 2), x, nil, o), "closed")
  end)

  it("the binding reads fields an __index supplies, and an __index that raises is a clean error", function()
    local a = lunet.tensor { { 1, 2 }, { 3, 4 } }
    local c = lunet.gemm(a, a, lunet.zeros(2, 2), setmetatable({}, { __index = { alpha = 2 } }))
    assert.are.same({ { 14, 20 }, { 30, 44 } }, c:totable())
    local raising = setmetatable({}, { __index = function() error("no options here") end })
    has(err(lunet.gemm, a, a, lunet.zeros(2, 2), raising), "no options here")
    lunet.seed(2)
    local t = lunet.randn({ 20000 }, setmetatable({}, { __index = { mean = 5 } }))
    assert(math.abs(t:mean() - 5) < 0.05, "mean " .. t:mean())
    has(err(core.net_new, { { type = "dense", n_in = 2, n_out = 2 } },
      setmetatable({ input = { 2 } }, { __index = function(_, k) error("read " .. k) end })), "read ")
  end)

  it("a __pairs metamethod does not stop the binding from reading a table", function()
    local a = lunet.tensor { { 1, 2 }, { 3, 4 } }
    local o = setmetatable({ alpha = 2 }, { __pairs = function() error("__pairs ran") end })
    local c = lunet.gemm(a, a, lunet.zeros(2, 2), o)
    assert.are.same({ { 14, 20 }, { 30, 44 } }, c:totable())
  end)

  it("a plot whose option table's __index raises or closes the data tensor fails cleanly", function()
    local raising = setmetatable({ series = { { y = { 1, 2 } } } }, { __index = function() error("boom") end })
    has(err(plot.line, raising), "boom")
    local y = lunet.tensor { 1, 2, 3 }
    local closing = setmetatable({ series = { { y = y } } }, { __index = function() y:close(); collectgarbage() end })
    has(err(plot.line, closing), "closed")
  end)

  it("plots walk options and series raw", function()
    local s = setmetatable({ y = { 1, 2, 3 } }, { __pairs = function() error("__pairs ran") end })
    local doc = plot.line(setmetatable({ series = { s } }, { __pairs = function() error("__pairs ran") end }))
    assert.truthy(doc:find("<path", 1, true))
    local huge_len = setmetatable({ 1, 2 }, { __len = function() return 1 << 40 end })
    assert.truthy(plot.line { series = { { y = huge_len } } }:find("<path", 1, true))  -- length read raw: 2
  end)
end)

describe("lunet.Network in one table", function()
  local function forward_by_hand(net, x)
    local a = x
    for l = 1, 2 do
      local w, b = net.weights[l]:totable(), net.biases[l]:totable()
      local z = {}
      for i = 1, #w do
        local s = b[i]
        for j = 1, #a do s = s + w[i][j] * a[j] end
        z[i] = l == 1 and tanh(s) or sigmoid(s)
      end
      a = z
    end
    return a
  end

  it("Network{3, 4, 2, activation = ...} builds the same network as the two-table form", function()
    lunet.seed(21)
    local one = lunet.Network { 3, 4, 2, activation = { "tanh", "sigmoid" } }
    lunet.seed(21)
    local two = lunet.Network({ 3, 4, 2 }, { activation = { "tanh", "sigmoid" } })
    lunet.seed(21)
    local plain = lunet.Network { 3, 4, 2 }
    local x = lunet.tensor { 0.9, -1.3, 2.1 }
    H.near(two:feedforward(x), one:feedforward(x), 0, "one table vs two tables")
    H.near(plain.weights[1], one.weights[1], 0, "same initial weights")
    -- the hidden layer really is tanh: the outputs differ from the sigmoid network's and match a hand computation
    local diff = (one:feedforward(x) - plain:feedforward(x)):abs():max()
    assert(diff > 1e-3, "tanh and sigmoid networks give the same outputs")
    H.near(forward_by_hand(one, { 0.9, -1.3, 2.1 }), one:feedforward(x), 1e-5, "hand computation")
    assert.are.equal("Tanh", tostring(one:layers()[2]))
    assert.are.same({ 3, 4, 2 }, one.sizes)
  end)

  it("takes cost and dtype too", function()
    local net = lunet.Network { 2, 3, 2, cost = "quadratic", activation = "tanh", dtype = "float64" }
    assert.are.equal("quadratic", net:cost())
    assert.are.equal("float64", net:dtype())
    assert.are.equal("Tanh", tostring(net:layers()[4]))
  end)

  it("refuses options in both places", function()
    has(err(lunet.Network, { 2, 2, activation = "tanh" }, { cost = "quadratic" }),
      "give the options in the sizes table or as a second table, not both")
  end)
end)

describe("rand and randn take their two numbers by position or by name", function()
  it("randn(sizes, {mean, std})", function()
    lunet.seed(4)
    local t = lunet.randn({ 40000 }, { 0.5, 2, dtype = "float64" })
    assert(math.abs(t:mean() - 0.5) < 0.05, "mean " .. t:mean())
    assert(math.abs(t:std() - 2) < 0.05, "std " .. t:std())
    lunet.seed(4)
    local named = lunet.randn({ 40000 }, { mean = 0.5, std = 2 })
    lunet.seed(4)
    local positional = lunet.randn({ 40000 }, { 0.5, 2 })
    H.near(named, positional, 0, "named vs positional")
  end)

  it("rand(sizes, {min, max})", function()
    lunet.seed(4)
    local t = lunet.rand({ 40000 }, { -1, 1 })
    assert(t:min() >= -1 and t:max() <= 1, "outside [-1, 1]")
    assert(t:min() < -0.99 and t:max() > 0.99, "does not span [-1, 1]")
    assert(math.abs(t:mean()) < 0.02, "mean " .. t:mean())
    lunet.seed(4)
    H.near(lunet.rand({ 40000 }, { min = -1, max = 1 }), t, 0, "named vs positional")
  end)

  it("one positional number, and a dtype beside them", function()
    local t = lunet.randn({ 20000 }, { 3, dtype = "float64" })
    assert.are.equal("float64", t:dtype())
    assert(math.abs(t:mean() - 3) < 0.05 and math.abs(t:std() - 1) < 0.05)
    local u = lunet.rand(2, 3, { 5, 6 })
    assert.are.same({ 2, 3 }, u:shape())
    assert(u:min() >= 5 and u:max() <= 6)
  end)

  it("mixing, extra entries and gaps are errors", function()
    has(err(lunet.randn, { 2 }, { 0.5, std = 2 }), "randn: give mean and std by position or by name, not both")
    has(err(lunet.rand, { 2 }, { -1, 1, 3 }), "rand: unexpected positional option [3] (at most 2)")
    has(err(lunet.randn, { 2 }, { [2] = 1 }), "randn: positional options must start at 1 without gaps")
    has(err(lunet.randn, { 2 }, { [1.5] = 1 }), "randn: option keys must be names")
  end)
end)

describe("plots with hostile data", function()
  it("NaN and infinities are gaps, never coordinates", function()
    local doc = plot.line { series = { { y = { 1, 2, 0 / 0, 3, math.huge, 4, -math.huge, 5 } } } }
    assert.is_nil(doc:find("nan", 1, true))
    assert.is_nil(doc:find("inf", 1, true))
    local _, moves = doc:match('<path class="series" d="([^"]*)"'):gsub("M", "")
    assert.are.equal(4, moves)   -- the line breaks at each gap: 1 2 | 3 | 4 | 5
  end)

  it("all gaps, empty series and empty lists are errors", function()
    has(err(plot.line, { series = { { y = { 0 / 0, math.huge } } } }), "nothing to plot: every y value is a gap")
    has(err(plot.line, { series = { { y = {} } } }), "series 1 has no y values")
    has(err(plot.line, { series = {} }), "series must be a non-empty array")
    has(err(plot.bar, { values = {} }), "values is empty")
    has(err(plot.heatmap, { data = {} }), "data must be a non-empty 2-D array")
    has(err(plot.monitor, {}), "history has none of")
  end)

  it("mismatched lengths are errors", function()
    has(err(plot.line, { series = { { y = { 1, 2, 3 }, x = { 1, 2 } } } }), "series 1: x has 2 values but y has 3")
    has(err(plot.bar, { labels = { "a", "b" }, values = { 1, 2, 3 } }), "values has 3 entries but labels has 2")
    has(err(plot.heatmap, { data = { { 1, 2 }, { 3 } } }), "data: row 2 has 1 values, expected 2")
    has(err(plot.images, { images = { { 1, 2, 3 } } }), "image 1 is 1-D with 3 values, which is not a square")
  end)

  it("huge sizes and counts are refused quickly", function()
    has(err(plot.line, { series = { { y = { 1, 2 } } }, width = 1e9 }), "width x height must be at most 20000 x 20000")
    has(err(plot.text, { series = { { y = { 1, 2 } } }, width = 100000 }), "width x height must be at most 1000 x 1000")
    has(err(plot.line, { series = { { y = { n = 1 << 40 } } } }), "an array of 1099511627776 values is not plottable")
    has(err(plot.images, { images = { { { 1 } } }, scale = 1e9 }), "scale must be in (0, 1000]")
    -- more columns than images: as many columns as images, not a document 1e17 pixels wide
    local img = { { 0, 1 }, { 1, 0 } }
    assert.are.equal(plot.images { images = { img, img }, cols = 2 },
      plot.images { images = { img, img }, cols = 1e15 })
    assert.are.equal(plot.text { images = { img, img }, cols = 2 }, plot.text { images = { img, img }, cols = 1e15 })
  end)

  it("values too large or too small for the axis arithmetic are refused, not drawn as NaN", function()
    has(err(plot.line, { series = { { y = { 1e308, -1e308 } } } }), "series 1: y[1]: 1e+308 cannot be drawn")
    has(err(plot.text, { series = { { y = { 1, 2 }, x = { -1e308, 1e308 } } } }), "x[1]: -1e+308 cannot be drawn")
    has(err(plot.line, { series = { { y = { 5e-324, 1e-323 } } } }), "cannot be drawn")
    has(err(plot.heatmap, { data = { { 1e305, 0 } } }), "data: value at row 1, column 1: 1e+305 cannot be drawn")
    has(err(plot.line, { series = { { y = { 1, 2 } } }, ymax = 1e308 }), "ymax: 1e+308 cannot be drawn")
  end)

  it("a constant series at 1e300 still draws (relative widening)", function()
    local text = plot.text { series = { { y = { 1e300, 1e300 }, x = { 1e300, 1e300 } } } }
    assert.is_nil(text:find("nan", 1, true))
    assert.truthy(text:find("1e+300", 1, true))
    assert.is_nil(plot.line { series = { { y = { 1e300, 1e300 } } } }:find("nan", 1, true))
  end)

  it("SVG and XML special characters in titles, labels and names are escaped", function()
    local evil = "<script>alert('x')</script> & \"q\" ]]>"
    local docs = {
      plot.line { series = { { y = { 1, 2 }, name = evil } }, title = evil, xlabel = evil, ylabel = evil },
      plot.bar { labels = { evil, "b" }, values = { 1, 2 }, title = evil },
      plot.heatmap { data = { { 1, 2 } }, collabels = { evil, "c" }, rowlabels = { evil } },
      plot.images { images = { { { 0, 1 }, { 1, 0 } } }, labels = { evil }, title = evil },
    }
    for i, doc in ipairs(docs) do
      assert(not doc:find("<script", 1, true), "raw <script> in chart " .. i)
      assert(not doc:find("'x'", 1, true), "raw quote in chart " .. i)
      assert(doc:find("&lt;script&gt;", 1, true), "no escaped title in chart " .. i)
      assert(not doc:find("& ", 1, true), "raw ampersand in chart " .. i)
    end
  end)

  it("control characters and invalid UTF-8 never reach the SVG", function()
    local doc = plot.line { series = { { y = { 1, 2 } } }, title = "a\0b\1c\255d" }
    assert.is_nil(doc:find("[%z\1]"))
    assert.truthy(utf8.len(doc), "the document is not valid UTF-8")
  end)

  it("unknown series keys are errors, as options are", function()
    has(err(plot.line, { series = { { y = { 1, 2 }, nmae = "loss" } } }),
      "series 1: unknown key nmae (known: name, x, y)")
    has(err(plot.bar, { series = { { values = { 1 }, colour = "red" } } }), "series 1: unknown key colour")
    has(err(plot.line, { series = { { y = { 1, 2 }, [true] = 1 } } }), "series 1: option keys must be names")
    has(err(plot.line, { series = { { y = { 1, 2, n = 2.5 } } } }), "n field must be its length")
  end)

  it("writing to a missing directory or over a directory is a clean error and leaves no temporary", function()
    has(err(plot.line, { series = { { y = { 1, 2 } } }, file = "/nonexistent-lunet-dir/x.svg" }),
      "cannot write /nonexistent-lunet-dir/x.svg")
    local dir = tmpdir()
    has(err(plot.line, { series = { { y = { 1, 2 } } }, file = dir }), "cannot move")
    assert.is_nil(io.open(dir .. ".tmp", "rb"))
    has(err(plot.save, "<svg/>", ""), "path must be a non-empty string")
    os.remove(dir)
  end)
end)
