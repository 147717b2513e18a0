-- Behaviour classes that mutants of the fifth held-out seed showed unchecked
-- (after spec/regress_survivors5_spec.lua): each argument check firing on its
-- own, exact outputs of kernels on tiny inputs, exact plot geometry.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = require "lunet.nn"
local H = require "spec.helpers"

describe("seed 5 survivors, second pass (regression)", function()
  it("ReLU maps -0 to +0, as max(x, 0) of the definition does only for x > 0", function()
    local y = nn.ReLU():forward(lunet.tensor({ { -0.0, 0.0, -2, 3 } }, "float64"))
    assert.are.equal(math.huge, 1 / y[1][1], "relu(-0) is +0")
    assert.are.equal(math.huge, 1 / y[1][2], "relu(+0) is +0")
    assert.are.same({ { 0, 0, 0, 3 } }, y:totable())
  end)

  it("dropout redraws the mask of every value, the first one included", function()
    -- a single value: it is dropped (0) or kept (x / (1 - p)) anew on each forward
    local d = nn.Dropout(0.5)
    d:training()
    lunet.seed(11)
    local kept = 0
    for _ = 1, 200 do
      local y = d:forward(lunet.tensor({ { 3 } }, "float64"))[1][1]
      assert.is_true(y == 0 or y == 6, "a dropped value is 0, a kept one x / (1 - p): " .. y)
      if y == 6 then kept = kept + 1 end
    end
    assert.is_true(kept > 70 and kept < 130, kept .. " of 200 kept with p = 0.5")
  end)

  it("a convolution's input gradient is exactly 0 where dy is 0, on both col2im paths", function()
    for _, dt in ipairs { "float64", "float32" } do
      for _, geo in ipairs { { stride = 1, pad = 0 }, { stride = 2, pad = 1 } } do
        local layer = nn.Conv2d(2, 3, 3, geo)
        local model = nn.Sequential({ layer }, { input = { 2, 6, 5 }, dtype = dt })
        local x = lunet.randn(2, 2, 6, 5, dt)
        local y = model:forward(x)
        local dx = model:backward(x, lunet.zeros(y:shape(), dt))
        for _, v in ipairs(H.flat(dx:totable())) do
          assert.are.equal(0, v, dt .. " stride " .. geo.stride)
        end
      end
    end
    -- stride 2 with a 1x1 kernel never reads odd rows or columns: their gradient is exactly 0
    local layer = nn.Conv2d(1, 1, 1, { stride = 2 })
    local model = nn.Sequential({ layer }, { input = { 1, 4, 4 }, dtype = "float64" })
    local x = lunet.ones(1, 1, 4, 4, "float64")
    local y = model:forward(x)
    local dx = model:backward(x, lunet.ones(y:shape(), "float64"))
    local w = layer.weight:totable()[1][1][1][1]
    for r = 1, 4 do
      for c = 1, 4 do
        local want = (r % 2 == 1 and c % 2 == 1) and w or 0
        assert.are.equal(want, dx[1][1][r][c], ("pixel %d,%d"):format(r, c))
      end
    end
  end)

  it("each optimizer's hyperparameters are refused exactly at the open ends of their ranges", function()
    local net = lunet.Network({ 3, 2 }, { cost = "quadratic" }):net()
    -- name -> { lo, open at lo }; every range ends below its hi (1 or infinity)
    local RANGES = {
      sgd = { eta = { 0, true }, momentum = { 0, false, 1 } },
      adagrad = { eta = { 0, true }, eps = { 0, true } },
      rmsprop = { eta = { 0, true }, rho = { 0, false, 1 }, eps = { 0, true } },
      adam = { eta = { 0, true }, beta1 = { 0, false, 1 }, beta2 = { 0, false, 1 }, eps = { 0, true } },
      adamw = { eta = { 0, true }, beta1 = { 0, false, 1 }, beta2 = { 0, false, 1 }, eps = { 0, true },
        weight_decay = { 0, false } },
      adamax = { eta = { 0, true }, beta1 = { 0, false, 1 }, beta2 = { 0, false, 1 }, eps = { 0, true } },
    }
    for kind, names in pairs(RANGES) do
      for name, r in pairs(names) do
        local opts = { kind = kind, eta = 0.01 }
        opts[name] = r[1]
        local ok, err = pcall(core.optimizer, net, opts)
        local what = kind .. "." .. name .. " = " .. r[1]
        if r[2] then
          assert.is_false(ok, what .. " accepted")
          assert.truthy(tostring(err):find(name .. " must be in (0, inf), not 0", 1, true), err)
        else
          assert.is_true(ok, what .. ": " .. tostring(err))
          assert.are.equal(r[1], ok and err:get(name), what)
        end
        if r[3] then
          opts[name] = r[3]
          local ok1, err1 = pcall(core.optimizer, net, opts)
          assert.is_false(ok1, kind .. "." .. name .. " = " .. r[3] .. " accepted")
          assert.truthy(tostring(err1):find(name .. " must be in [0, 1), not 1", 1, true), err1)
        end
        opts[name] = nil
      end
    end
  end)

  it("a .npy header missing any one of descr, fortran_order and shape is refused", function()
    local entries = { descr = "'descr': '<f8'", fortran_order = "'fortran_order': False", shape = "'shape': (2,)" }
    local function file(keys)
      local parts = {}
      for _, k in ipairs(keys) do parts[#parts + 1] = entries[k] end
      local dict = "{" .. table.concat(parts, ", ") .. ", }"
      local text = dict .. (" "):rep((10 + #dict + 1 + 63) // 64 * 64 - 10 - #dict - 1) .. "\n"
      local path = H.tmpname(".npy")
      H.write(path, "\147NUMPY\1\0" .. string.pack("<I2", #text) .. text .. string.pack("<dd", 1.5, -2))
      local ok, t = pcall(lunet.load_npy, path)
      os.remove(path)
      return ok, t
    end
    local ok, t = file { "descr", "fortran_order", "shape" }
    assert.is_true(ok, tostring(t))
    assert.are.same({ 1.5, -2 }, t:totable())
    for _, keys in ipairs { { "fortran_order", "shape" }, { "descr", "shape" }, { "descr", "fortran_order" } } do
      local ok1, err = file(keys)
      assert.is_false(ok1, "a header of only " .. table.concat(keys, ", ") .. " was read")
      assert.is_string(err)
    end
  end)

  it("matmul refuses a tensor of 0 or 3 dimensions on either side", function()
    local cases = {
      { lunet.ones(2, 2, 2), lunet.ones(2, 2), "3 and 2" }, { lunet.ones(2, 2), lunet.ones(2, 2, 2), "2 and 3" },
      { lunet.zeros {}, lunet.ones(1), "0 and 1" }, { lunet.ones(1), lunet.zeros {}, "1 and 0" },
      { lunet.ones(2, 2, 2), lunet.ones(2), "3 and 1" }, { lunet.ones(2), lunet.ones(2, 2, 2), "1 and 3" },
    }
    for _, c in ipairs(cases) do
      assert.matches("matmul takes 1%- or 2%-dimensional tensors, not " .. c[3], H.err(lunet.matmul, c[1], c[2]))
    end
    assert.are.same({ 2, 2 }, lunet.matmul(lunet.ones(2, 2), lunet.ones(2)):totable())
    assert.are.same({ { 2 } }, lunet.matmul(lunet.ones(1, 2), lunet.ones(2, 1)):totable())
  end)

  it("expand takes 0 to 64 transforms in all, and refuses fractions, negatives and one more", function()
    local set = { x = lunet.zeros(1, 4), y = lunet.tensor({ 0 }) }
    local function count(opts) return lunet.data.expand(set, opts).n end
    assert.are.equal(1, count { shifts = false, rotations = 0 })
    assert.are.equal(64, count { shifts = false, rotations = 63 })
    assert.are.equal(64, count { rotations = 59 })
    assert.are.equal(64, count { shifts = false, rotations = 30, skews = 33 })
    local bad = {
      { { shifts = false, rotations = 64 }, "rotations must be an integer from 0 to 63" },
      { { rotations = 60 }, "rotations must be an integer from 0 to 59" },
      { { shifts = false, rotations = 30, skews = 34 }, "skews must be an integer from 0 to 33" },
      { { rotations = 1.5 }, "rotations must be an integer" },
      { { rotations = -1 }, "rotations must be an integer" },
      { { skews = -1 }, "skews must be an integer" },
      { { elastic = 2.5 }, "elastic must be an integer" },
    }
    for _, b in ipairs(bad) do
      assert.truthy(H.err(lunet.data.expand, set, b[1]):find(b[2], 1, true), b[2])
    end
  end)

  it("universality.approximate refuses f values outside (0, 1) and non-numbers, one at a time", function()
    local U = require "lunet.universality"
    for _, v in ipairs { 0, 1, 1.5, -0.5, "0.5", false } do
      local err = H.err(U.approximate, function() return v end, 2)
      assert.truthy(err:find("universality.approximate: f(0.25) = " .. tostring(v) ..
        ", but a sigmoid output needs values strictly between 0 and 1", 1, true), tostring(v) .. ": " .. err)
    end
    local ok, err = pcall(U.approximate, function() return 0.5 end, 2)
    assert.is_true(ok, tostring(err))
  end)

  it("universality.curve samples its n points from 0 to 1 inclusive", function()
    local U = require "lunet.universality"
    local net = lunet.Network({ 1, 3, 1 })
    local x, y = U.curve(net, 5)
    assert.are.same({ 0, 0.25, 0.5, 0.75, 1 }, x)
    local want = net:feedforward(lunet.tensor({ { 0 }, { 0.25 }, { 0.5 }, { 0.75 }, { 1 } }, "float64")):totable()
    for i = 1, 5 do H.near(y[i], want[i][1], 1e-6, "y " .. i) end
  end)

  it("doc.get of a function whose source file is gone (or shorter now) is nil, not an error", function()
    local doc = require "lunet.doc"
    local path = H.tmpname(".lua")
    H.write(path, "\n\n--- f() -> 1\n-- One.\nreturn function() return 1 end\n")
    local f = assert(loadfile(path))()
    os.remove(path)
    local ok, d = pcall(doc.get, f)
    assert.is_true(ok, tostring(d))
    assert.is_nil(d)
    local path2 = H.tmpname(".lua")
    H.write(path2, "\n\n--- g() -> 2\n-- Two.\nreturn function() return 2 end\n")
    local g = assert(loadfile(path2))()
    H.write(path2, "-- shorter now\n")
    local ok2, d2 = pcall(doc.get, g)
    os.remove(path2)
    assert.is_true(ok2, tostring(d2))
    assert.is_nil(d2)
  end)
end)

describe("plot geometry (exact)", function()
  local svg = require "lunet.plot.svg"
  local plot = require "lunet.plot"

  it("axis steps are 1, 2 or 5 times a power of ten, switching at 1.5, 3 and 7", function()
    -- two ticks wanted (200 px, one per 100 px), so the raw step is half the range
    local want = { [1] = 1, [1.4] = 1, [1.5] = 2, [2] = 2, [2.9] = 2, [3] = 5, [5] = 5, [6.9] = 5, [7] = 10,
      [9] = 10, [15] = 20, [30] = 50 }
    for raw, step in pairs(want) do
      local a = svg.linear_axis(0, 2 * raw, 200, 100)
      H.near(a.ticks[2].v - a.ticks[1].v, step, 1e-12, "raw step " .. raw)
      assert.are.equal(0, a.ticks[1].v)
      assert.are.equal(math.floor(2 * raw / step + 1e-9) + 1, #a.ticks, "ticks for raw " .. raw)
    end
  end)

  it("an image grid is as wide as its title (9.6 px a character at 16 px, plus 24) when that is wider", function()
    local doc = plot.images { images = { { { 0, 1 } } }, scale = 1, title = ("T"):rep(50) }
    local w, h = svg.size(doc)
    assert.are.equal(50 * 9.6 + 24, w)
    assert.are.equal(40 + 1 + 12, h, "title band 40, one row, bottom pad 12")
    assert.truthy(doc:find('<text x="252" y="24" text-anchor="middle"', 1, true), "title centred")
    assert.truthy(doc:find('translate(251 40)', 1, true), "image centred below the title")
    local w0, h0 = svg.size(plot.images { images = { { { 0, 1 } } }, scale = 1 })
    assert.are.same({ 2 * 12 + 2, 12 + 1 + 12 }, { w0, h0 }, "no title: pads of 12 around 2x1 pixels")
    local w1 = svg.size(plot.images { images = { { { 0, 1, 0 } } }, scale = 20, title = "T" })
    assert.are.equal(2 * 12 + 3 * 20, w1, "a title narrower than the images does not widen the grid")
  end)
end)
