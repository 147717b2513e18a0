-- Edge values where a boundary is easy to get wrong: network3's report of a
-- best validation accuracy of exactly 0, and the elements a summarised
-- printout shows.
local lunet = require "lunet"
local n3 = lunet.network3

local function sink()
  local parts = {}
  return { write = function(self, ...)
      for _, s in ipairs { ... } do parts[#parts + 1] = s end
      return self
    end,
    flush = function() end, text = function() return table.concat(parts) end }
end

describe("network3 (regression)", function()
  it("a best validation accuracy of exactly 0 is still reported and returned", function()
    lunet.seed(91)
    -- a zero-initialised softmax layer trained towards class 0; validation is all class 1
    local net = n3.Network({ n3.SoftmaxLayer { n_in = 3, n_out = 2 } }, 4)
    local train = { x = lunet.rand(8, 3), y = lunet.zeros(8) }
    local valid = { x = lunet.rand(6, 3), y = lunet.ones(6) }
    local out = sink()
    local best, test, h = net:SGD(train, 2, 4, 0.1, valid, valid, 0, { out = out })
    assert.are.equal(0, best)
    assert.are.equal(0, test)
    assert.are.same({ 0, 0 }, h.evaluation_accuracy)
    -- as in the book, a tie with the best so far counts as the new best (>=)
    assert.matches("Best validation accuracy of 0.00%% obtained at epoch 1\n", out:text())
    assert.matches("Corresponding test accuracy of 0.00%%", out:text())
  end)
end)

describe("summarised printing (regression)", function()
  -- The lines for rows/columns shown: the first and last three, "..." between.
  local function expected(rows, cols, width)
    local function shown(n)
      return { 1, 2, 3, false, n - 2, n - 1, n }
    end
    local lines = {}
    for _, r in ipairs(shown(rows)) do
      local cells = {}
      for _, c in ipairs(shown(cols)) do
        cells[#cells + 1] = ("%" .. width .. "s"):format((r and c) and tostring((r - 1) * cols + c - 1) or "...")
      end
      lines[#lines + 1] = table.concat(cells)
    end
    return lines
  end

  it("keeps three elements at each end of every dimension", function()
    local s = tostring(lunet.arange(2000, "float64"):view(40, 50))
    local want = expected(40, 50, 5)
    want[#want + 1] = "[Tensor float64 40x50]"
    assert.are.equal(table.concat(want, "\n"), s)
    assert.are.equal("    0    1    2  ... 1997 1998 1999\n[Tensor float64 2000]",
      tostring(lunet.arange(2000, "float64")))
    -- 1000 elements are printed whole, 1001 are summarised
    assert.is_nil(tostring(lunet.arange(1000, "float64")):find("...", 1, true))
    assert.truthy(tostring(lunet.arange(1001, "float64")):find("...", 1, true))
  end)

  it("summarises slices of a 3-d tensor the same way", function()
    local s = tostring(lunet.arange(24000, "float64"):view(20, 30, 40))
    local heads = {}
    for h in s:gmatch("%((%d+),%.,%.%) =") do heads[#heads + 1] = tonumber(h) end
    assert.are.same({ 1, 2, 3, 18, 19, 20 }, heads)
    -- the first row of slice 18 starts at element 17 * 1200
    assert.truthy(s:find("(18,.,.) =\n 20400 20401 20402   ... 20437 20438 20439", 1, true))
  end)
end)

describe("layer descriptions (regression)", function()
  it("name every option that is not the default, and count the parameters", function()
    local nn = lunet.nn
    local model = nn.Sequential({ nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3, { stride = 2 }),
      nn.Conv2d(2, 3, 1, { pad = 1 }), nn.Conv2d(3, 1, 3, { stride = 2, pad = 1 }), nn.MaxPool(2), nn.AvgPool(2, 1),
      nn.L2Pool(1, 1), nn.BatchNorm(),
      nn.Dropout(0.5), nn.Reshape(1, 1), nn.Linear(1, 3), nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity(),
      nn.Softmax() }, { input = { 1, 13, 13 }, cost = "log_likelihood" })
    -- 13 -> 11 -> 5 -> 7 -> 4 -> 2 -> 1 -> 1; weights and biases of each layer
    local params = (2 * 1 * 9 + 2) + (2 * 2 * 9 + 2) + (3 * 2 * 1 + 3) + (1 * 3 * 9 + 1) + 2 + (3 + 3)
    assert.are.equal(table.concat({
      ("Sequential(1x13x13 -> 3, %d parameters, log_likelihood cost)"):format(params),
      "  (1) Conv2d(1 -> 2, 3x3)", "  (2) Conv2d(2 -> 2, 3x3, stride 2)", "  (3) Conv2d(2 -> 3, 1x1, pad 1)",
      "  (4) Conv2d(3 -> 1, 3x3, stride 2, pad 1)", "  (5) MaxPool(2x2)", "  (6) AvgPool(2x2, stride 1)",
      "  (7) L2Pool(1x1)", "  (8) BatchNorm", "  (9) Dropout(0.5)", "  (10) Reshape(1x1)", "  (11) Linear(1 -> 3)",
      "  (12) ReLU", "  (13) Tanh", "  (14) Sigmoid", "  (15) Identity", "  (16) Softmax",
    }, "\n"), tostring(model))
    assert.are.equal(params, model:flat_parameters():numel())
  end)
end)

describe("small edges of the API (regression)", function()
  local H = require "spec.helpers"

  it("threads: 1 to the maximum, never 0", function()
    local before = lunet.threads()
    assert.matches("thread count must be 1%.%.", H.err(lunet.threads, 0))
    assert.matches("thread count must be 1%.%.", H.err(lunet.threads, -1))
    lunet.threads(1)
    assert.are.equal(1, lunet.threads())
    lunet.threads(before)
    assert.are.equal(before, lunet.threads())
  end)

  -- A .npy file of version major (2 or 3: a 4-byte header length).
  local function npy_v(major, descr, shape, packfmt, values)
    local dict = ("{'descr': '%s', 'fortran_order': False, 'shape': %s, }"):format(descr, shape)
    local pad = (64 - (12 + #dict + 1) % 64) % 64
    local header = dict .. (" "):rep(pad) .. "\n"
    local parts = { "\147NUMPY", string.char(major, 0), string.pack("<I4", #header), header }
    for _, v in ipairs(values) do parts[#parts + 1] = string.pack(packfmt, v) end
    return table.concat(parts)
  end

  it(".npy versions 2 and 3, whose header length takes 4 bytes", function()
    for _, major in ipairs { 2, 3 } do
      local path = H.tmpname(".npy")
      H.write(path, npy_v(major, "<f8", "(2, 3)", "<d", { 1.5, -2, 0.25, 4, 5, 6e10 }))
      assert.are.same({ { 1.5, -2, 0.25 }, { 4, 5, 6e10 } }, lunet.load_npy(path):totable())
      H.write(path, npy_v(major, ">i4", "(3,)", ">i4", { -7, 70000, 1 }))
      assert.are.same({ -7, 70000, 1 }, lunet.load_npy(path):totable())
      os.remove(path)
    end
  end)

  it("a fresh model takes one flat sample as its first input", function()
    local nn = lunet.nn
    lunet.seed(97)
    local lin = nn.Sequential { nn.Linear(4, 3), nn.Sigmoid() }
    local x = lunet.rand(4, "float32")
    local one = lin:forward(x)
    assert.are.same({ 3 }, one:shape())
    H.near(one, lin:forward(x:view(1, 4))[1], 0)
    -- a lone convolution whose weights were read before any input: built for
    -- 3x3 images, it takes one flat image of 9 values as a single sample
    local conv = nn.Conv2d(1, 2, 3, { init = "large" })
    local w, b = conv.weight:totable(), conv.bias:totable()
    local img = lunet.rand(9)
    local y = conv:forward(img)
    assert.are.same({ 2 }, y:shape())
    local px = img:totable()
    for m = 1, 2 do
      local s = b[m]
      for r = 1, 3 do for c = 1, 3 do s = s + w[m][1][r][c] * px[(r - 1) * 3 + c] end end
      H.near(y[m], s, 1e-5)
    end
  end)
end)

describe("checks below the Lua constructors (regression)", function()
  local core = require "lunet.core"

  it("the core refuses convolution specs that nn.Conv2d would never make", function()
    local function conv(t)
      local spec = { type = "conv2d", n_in = 1, maps = 2, kernel = 3, stride = 1, pad = 0 }
      for k, v in pairs(t) do spec[k] = v end
      local ok, err = pcall(core.net_new, { spec }, { input = { 1, 8, 8 } })
      return ok and "built" or tostring(err)
    end
    assert.are.equal("built", conv {})
    for _, bad in ipairs { { maps = 0 }, { kernel = 0 }, { stride = 0 }, { pad = -1 }, { maps = 70000 },
      { kernel = 2000 }, { stride = 2000 }, { pad = 2000 } } do
      local k, v = next(bad)
      assert.matches("convolution needs maps 1%.%.65536, kernel and stride 1%.%.1024 and padding 0%.%.1024",
        conv(bad), nil, nil, k .. " = " .. v)
    end
  end)

  it("training stops when on_epoch returns false, and only then", function()
    local data = { x = lunet.rand(6, 2), y = lunet.zeros(6) }
    local seen = {}
    local _, _, _, _, h = lunet.train.sgd(lunet.Network { 2, 2 }, data, { epochs = 5, batch = 3, eta = 0.1,
      verbose = false, progress = false, on_epoch = function(e) seen[#seen + 1] = e return e ~= 2 end })
    assert.are.same({ 1, 2 }, seen)
    assert.are.equal("callback", h.stopped)
    assert.are.equal(2, #h.epoch)
    seen = {}
    _, _, _, _, h = lunet.train.sgd(lunet.Network { 2, 2 }, data, { epochs = 3, batch = 3, eta = 0.1,
      verbose = false, progress = false, on_epoch = function(e) seen[#seen + 1] = e return true end })
    assert.are.same({ 1, 2, 3 }, seen)
    assert.are.equal("epochs", h.stopped)
  end)
end)

describe("limits and sizes (regression)", function()
  local H = require "spec.helpers"

  it("a convolution refuses a mini-batch whose columns would not fit an int, before allocating", function()
    -- 1x1 images padded by 1024: 2049 x 2049 outputs each, so 600 images need 2.5e9 columns
    local model = lunet.nn.Sequential({ lunet.nn.Conv2d(1, 1, 1, { pad = 1024 }) }, { input = { 1, 1, 1 } })
    assert.matches("mini%-batch of 600 is too large for this convolution", H.err(model.forward, model,
      lunet.zeros(600, 1, 1, 1)))
  end)

  it("# of a tensor is its first size, 1 for a 0-d tensor", function()
    assert.are.equal(1, #lunet.full(2.5, {}))
    assert.are.equal(3, #lunet.zeros(3, 4))
    assert.are.equal(0, #lunet.zeros(0, 2))
  end)

  it("model files too short for their header, with a right checksum", function()
    local crc32 = H.crc32
    local path = H.tmpname(".lunet")
    lunet.Network { 3, 2 }:save(path)
    local good = H.read(path)
    for _, n in ipairs { 12, 24, 40, 63 } do
      local body = good:sub(1, n)
      H.write(path, body .. string.pack("<I4", crc32(body)))
      assert.matches("truncated header", H.err(lunet.load, path), n .. " bytes")
    end
    os.remove(path)
  end)

  it("gradient norms during training use the first 1000 samples of a larger set", function()
    lunet.seed(98)
    local x = lunet.randn(1300, 3, "float64")
    local y = lunet.zeros(1300)
    for i = 1, 1300 do y[i] = (i * 3) % 2 end
    local net = lunet.Network({ 3, 4, 2 }, { dtype = "float64" })
    local first = { x = x:narrow(1, 1, 1000), y = y:narrow(1, 1, 1000) }
    local b0, w0 = net:gradient_norms(first)
    local b1 = net:gradient_norms({ x = x, y = y })
    assert.is_true(math.abs(b1[1] - b0[1]) > 1e-9)   -- the whole set would give other norms
    local _, _, _, _, h = lunet.train.sgd(net, { x = x, y = y }, { epochs = 1, batch = 100, eta = 0.1,
      gradient_norms = true, verbose = false, progress = false })
    H.near({ h.gradient_norms.bias[1][1], h.gradient_norms.bias[2][1] }, b0, 1e-12)
    H.near({ h.gradient_norms.weight[1][1], h.gradient_norms.weight[2][1] }, w0, 1e-12)
  end)
end)

describe("initialisation and one-hot arguments (regression)", function()
  local H = require "spec.helpers"

  it("biases ~ N(0, 1) by default and with 'large', 0 with 'he', 'xavier' and 'zeros'", function()
    lunet.seed(99)
    local function bstd(init) return lunet.nn.Linear(10, 4000, { init = init }).bias:std() end
    H.near(bstd(nil), 1, 0.05)
    H.near(bstd("default"), 1, 0.05)
    H.near(bstd("large"), 1, 0.05)
    assert.are.equal(0, bstd("he"))
    assert.are.equal(0, bstd("xavier"))
    assert.are.equal(0, bstd("zeros"))
    H.near(lunet.nn.Linear(10, 4000, { init = { w_std = 0.5, b_std = 2 } }).bias:std(), 2, 0.1)
    -- xavier: sqrt(2 / (n_in + n_out))
    H.near(lunet.nn.Linear(300, 500, { init = "xavier" }).weight:std(), math.sqrt(2 / 800), 0.002)
  end)

  it("one_hot takes 1 to 2^24 classes", function()
    local labels = lunet.tensor({ 0, 2, 1 })
    assert.are.same({ { 1, 0, 0 }, { 0, 0, 1 }, { 0, 1, 0 } }, lunet.one_hot(labels, 3):totable())
    assert.matches("class count must be 1%.%.16777216", H.err(lunet.one_hot, lunet.tensor({ 0 }), 0))
    assert.matches("class count must be 1%.%.16777216", H.err(lunet.one_hot, lunet.tensor({ 0 }), 2 ^ 24 + 1))
  end)
end)

describe("the progress bar (regression)", function()
  -- The bar is drawn only on a terminal: script(1) gives the child one.
  it("ends at 100% of the mini-batches and clears its line once, at the end", function()
    if not os.execute("command -v script >/dev/null 2>&1") then
      pending("script(1) from util-linux is needed to give the child a terminal")
      return
    end
    local function q(str) return "'" .. str:gsub("'", "'\\''") .. "'" end
    local code = [[local l = require "lunet"; l.seed(1)
      l.Network{2, 2}:SGD({x = l.rand(20, 2), y = l.zeros(20)}, 1, 10, 0.1, {verbose = false, progress = true})]]
    local cmd = ("LUA_PATH=%s LUA_CPATH=%s lua5.4 -e %s"):format(q(package.path), q(package.cpath), q(code))
    local p = io.popen("script -qec " .. q(cmd) .. " /dev/null")
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("epoch 1/1 [####################] 100%", 1, true), out)
    assert.are.equal("\r\27[K", out:sub(-4))
    assert.are.equal(1, select(2, out:gsub("\27%[K", "")))
  end)
end)

describe("the examples' option parser (regression)", function()
  it("reads values, numbers, flags and dashed names, keeping defaults for the rest", function()
    local cli = require "lunet.cli"
    local spec = { { "epochs", 30, "epochs" }, { "eta", 0.5, "rate" }, { "data", "auto", "set" },
      { "plot", false, "draw" }, { "hidden_size", 10, "units" } }
    local o = cli.parse({ "--epochs", "3", "--plot", "--hidden-size", "64", "--eta", "0.25" }, spec)
    assert.are.same({ epochs = 3, eta = 0.25, data = "auto", plot = true, hidden_size = 64 }, o)
    assert.are.equal("integer", math.type(o.epochs))
    local d = cli.parse({}, spec)
    assert.are.same({ epochs = 30, eta = 0.5, data = "auto", plot = false, hidden_size = 10 }, d)
    local e = cli.parse({ "--data", "mnist", "--epochs", "2.5" }, spec)
    assert.are.equal("mnist", e.data)
    assert.are.equal(2.5, e.epochs)
  end)
end)
