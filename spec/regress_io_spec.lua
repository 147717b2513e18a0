-- Files against values computed here: model files round-tripping every
-- layer type with options that are not the defaults (and the state of
-- batch normalisation), the book's JSON files with either cost, and IDX
-- files of multi-byte types larger than one read chunk (64 KiB).
local lunet = require "lunet"
local json = require "lunet.json"
local data = require "lunet.data"
local H = require "spec.helpers"
local nn = lunet.nn

local tmp, remove_tmp = H.temp_files()

local function specs_of(model)
  local out = {}
  for i, layer in ipairs(model:layers()) do
    local s = {}
    for k, v in pairs(layer.spec) do s[k] = v end
    out[i] = s
  end
  return out
end

local function states_of(model)
  local net, out = model:net(), {}
  for i = 1, net:info().nlayers do
    for _, name in ipairs(net:layer(i).state) do
      out[#out + 1] = net:param(i, name, "state"):totable()
    end
  end
  return out
end

describe("model files (regression)", function()
  teardown(function()
    remove_tmp()
  end)

  local function conv_model(dtype)
    return nn.Sequential({
      nn.Conv2d(1, 3, 3, { stride = 2, pad = 1, init = "he" }),   -- 1x7x7 -> 3x4x4
      nn.BatchNorm({ eps = 1e-3, momentum = 0.25 }),
      nn.Tanh(),
      nn.MaxPool(2, 1),                                            -- 3x3x3
      nn.L2Pool(2, 1),                                             -- 3x2x2
      nn.AvgPool(2),                                               -- 3x1x1
      nn.Linear(3, 4, { init = "xavier" }),
      nn.BatchNorm({ eps = 0.05, momentum = 0.6 }),
      nn.ReLU(),
      nn.Dropout(0.25),
      nn.Reshape(2, 2),
      nn.Identity(),
      nn.Linear(4, 3, { init = "large" }),
      nn.Softmax(),
    }, { input = { 1, 7, 7 }, cost = "log_likelihood", dtype = dtype })
  end

  for _, dtype in ipairs { "float64", "float32" } do
    it("every layer type with options that are not the defaults, " .. dtype, function()
      lunet.seed(71)
      local model = conv_model(dtype)
      local x = lunet.rand(6, 1, 7, 7, dtype)
      -- training moves the parameters and the running statistics away from their start
      lunet.train.sgd(model, { x = x, y = lunet.tensor({ 0, 1, 2, 0, 1, 2 }) },
        { epochs = 2, batch = 4, eta = 0.1, verbose = false, progress = false })
      local path = tmp(".lunet")
      model:save(path)
      local back = lunet.load(path)
      assert.are.equal(tostring(model), tostring(back))
      -- a loaded spec has every field; those the layers were made with agree
      local want, got = specs_of(model), specs_of(back)
      assert.are.equal(#want, #got)
      for i, sp in ipairs(want) do
        for k, v in pairs(sp) do assert.are.same(v, got[i][k], ("layer %d field %s"):format(i, k)) end
      end
      assert.are.same(model:flat_parameters():totable(), back:flat_parameters():totable())
      assert.are.same(states_of(model), states_of(back))
      assert.are.equal("log_likelihood", back:cost())
      assert.are.equal(dtype, back:info().dtype)
      assert.are.same({ 1, 7, 7 }, back:info().input)
      -- evaluation uses eps and the running statistics
      model:evaluate()
      back:evaluate()
      assert.are.same(model:forward(x):totable(), back:forward(x):totable())
      -- training uses the dropout rate and updates the statistics with momentum
      model:training()
      back:training()
      lunet.seed(5)
      local a = model:forward(x):totable()
      lunet.seed(5)
      local b = back:forward(x):totable()
      assert.are.same(a, b)
      assert.are.same(states_of(model), states_of(back))
    end)
  end

  it("a Network with per-layer activations and the quadratic cost", function()
    lunet.seed(72)
    local net = lunet.Network({ 5, 4, 3, 2 }, { cost = "quadratic", activation = { "tanh", "relu", "identity" },
      dtype = "float64", init = "he" })
    local path = tmp(".lunet")
    net:save(path)
    local back = lunet.load(path)
    assert.are.equal(getmetatable(net), getmetatable(back))
    assert.are.equal("quadratic", back:cost())
    assert.are.same({ 5, 4, 3, 2 }, back.sizes)
    assert.are.equal(tostring(net), tostring(back))
    local x = lunet.randn(7, 5, "float64")
    assert.are.same(net:forward(x):totable(), back:forward(x):totable())
    -- the activations by hand: identity(W3 relu(W2 tanh(W1 x + b1) + b2) + b3)
    local function tanh(z) return (math.exp(2 * z) - 1) / (math.exp(2 * z) + 1) end
    local acts = { tanh, function(z) return math.max(z, 0) end, function(z) return z end }
    local xs = x:totable()
    for i = 1, 7 do
      local a = xs[i]
      for l = 1, 3 do
        local w, b, z = back.weights[l]:totable(), back.biases[l]:totable(), {}
        for j = 1, #b do
          local s = b[j]
          for k = 1, #a do s = s + w[j][k] * a[k] end
          z[j] = acts[l](s)
        end
        a = z
      end
      H.near(back:forward(x)[i], a, 1e-12)
    end
  end)
end)

describe("the book's JSON files (regression)", function()
  teardown(function() remove_tmp() end)   -- this block's files too
  local function network2(cost)
    return ('{"sizes": [2, 3, 2], "weights": [[[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], ' ..
      '[[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]], "biases": [[[0.1], [-0.2], [0.3]], [[-0.4], [0.5]]], ' ..
      '"cost": "%s"}'):format(cost)
  end

  for cost, name in pairs { QuadraticCost = "quadratic", CrossEntropyCost = "cross_entropy" } do
    it(cost .. " becomes the " .. name .. " cost, weights as (out, in)", function()
      local path = tmp(".json")
      H.write(path, network2(cost))
      local net = lunet.Network.load_json(path)
      assert.are.equal(name, net:cost())
      assert.are.same({ 2, 3, 2 }, net.sizes)
      H.near(net.weights[1], { { 0.5, -1.0 }, { 2.0, 0.25 }, { -0.75, 1.5 } }, 1e-7)
      H.near(net.biases[1], { 0.1, -0.2, 0.3 }, 1e-7)   -- float32 by default
      H.near(net.weights[2], { { 1.0, -2.0, 0.5 }, { 0.0, 3.0, -1.0 } }, 1e-7)
      H.near(net.biases[2], { -0.4, 0.5 }, 1e-7)
      -- the output for x = (1, 2) by hand
      local function s(z) return 1 / (1 + math.exp(-z)) end
      local h = { s(0.5 - 2 + 0.1), s(2 + 0.5 - 0.2), s(-0.75 + 3 + 0.3) }
      local want = { s(h[1] - 2 * h[2] + 0.5 * h[3] - 0.4), s(3 * h[2] - h[3] + 0.5) }
      H.near(net:feedforward(lunet.tensor({ 1, 2 })), want, 1e-6)
      -- the cost it was given: total_cost of one sample with label 1
      local y = { 0, 1 }
      local c = 0
      for j = 1, 2 do
        if name == "quadratic" then c = c + 0.5 * (want[j] - y[j]) ^ 2
        else c = c - (y[j] * math.log(want[j]) + (1 - y[j]) * math.log(1 - want[j])) end
      end
      local one = { x = lunet.tensor({ { 1, 2 } }), y = lunet.tensor({ 1 }) }
      H.near(net:total_cost(one), c, 1e-6)
    end)
  end

  it("decodes every escape, number form and nesting", function()
    local v = json.decode('{"s": "q\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\\u0041\\u00e9", "n": [0, -0, 12, -3.25, ' ..
      '1e3, 2E-2, -4.5e+1, 0.125], "deep": [[[], [1, [2]]], {"k": {"m": false}}], "t": true, "f": false,' ..
      ' "z": null, "e": "", "sp": " a b "}')
    assert.are.equal('q"b\\s/b\bf\fn\nr\rt\tAé', v.s)
    assert.are.same({ 0, 0, 12, -3.25, 1000, 0.02, -45, 0.125 }, v.n)
    assert.are.same({ { {}, { 1, { 2 } } }, { k = { m = false } } }, v.deep)
    assert.is_true(v.t)
    assert.is_false(v.f)
    assert.is_nil(v.z)
    assert.are.equal("", v.e)
    assert.are.equal(" a b ", v.sp)
    assert.are.same({ 1, 2 }, json.decode("\t\r\n [ 1 ,\n2 ] \n"))
    assert.are.equal("x", json.decode('"x"'))
    assert.are.equal(-7, json.decode("-7"))
    assert.is_false(json.decode("false"))
    assert.are.same({ a = 1, b = { 2 } }, json.decode('{ "a" : 1 , "b" : [ 2 ] }'))
  end)

  it("names the line and byte of each error", function()
    assert.are.equal("json: expected ',' or ']' at line 3 (byte 10)", H.err(json.decode, '[1,\n2,\n3 4]'))
    assert.are.equal("json: expected ':' at line 1 (byte 6)", H.err(json.decode, '{"a" 1}'))
    assert.are.equal("json: expected a key at line 1 (byte 2)", H.err(json.decode, '{1: 2}'))
    assert.are.equal("json: expected ',' or '}' at line 1 (byte 9)", H.err(json.decode, '{"a": 1 "b": 2}'))
    assert.are.equal("json: unexpected 'x' at line 1 (byte 2)", H.err(json.decode, '[x]'))
    assert.are.equal("json: unexpected end at line 1 (byte 2)", H.err(json.decode, '['))
    assert.are.equal("json: bad escape at line 1 (byte 3)", H.err(json.decode, '"a\\q"'))
    assert.are.equal("json: bad \\u escape at line 1 (byte 2)", H.err(json.decode, '"\\u12"'))
    assert.are.equal("json: unterminated string at line 2 (byte 3)", H.err(json.decode, '\n "abc'))
    assert.are.equal("json: trailing characters at line 1 (byte 5)", H.err(json.decode, '[1] x'))
    assert.are.equal("json: bad number at line 1 (byte 1)", H.err(json.decode, '-x'))
  end)
end)

describe("IDX files larger than one read chunk (regression)", function()
  teardown(function() remove_tmp() end)   -- this block's files too
  local FMT = { int16 = { 0x0B, ">i2", 2 }, int32 = { 0x0C, ">i4", 4 }, float32 = { 0x0D, ">f", 4 },
    float64 = { 0x0E, ">d", 8 } }

  -- Values that differ in every byte position, so a byte-order or offset
  -- mistake anywhere shows.
  local function value(ty, i)
    if ty == "int16" then return (i * 2654435761) % 65536 - 32768 end
    if ty == "int32" then return (i * 2654435761) % 4294967296 - 2147483648 end
    if ty == "float32" then return (string.unpack("f", string.pack("f", ((i * 40503) % 65536 - 32768) / 64))) end
    return ((i * 2654435761) % 1000003 - 500000) / 1024
  end

  for ty, f in pairs(FMT) do
    it(ty .. ": about 3 chunks, plain and gzip", function()
      local rows = 3
      local cols = (3 * 65536) // (rows * f[3]) + 7      -- not a multiple of the chunk
      local parts = { string.char(0, 0, f[1], 2), string.pack(">I4>I4", rows, cols) }
      local vals = {}
      for i = 1, rows * cols do
        vals[i] = value(ty, i)
        parts[#parts + 1] = string.pack(f[2], vals[i])
      end
      local bytes = table.concat(parts)
      assert(#bytes > 3 * 65536)
      local plain = tmp(".idx")
      H.write(plain, bytes)
      local gz = tmp(".gz")
      assert(os.execute(("env -u LD_PRELOAD gzip -n -c %s > %s"):format(data.shell_quote(plain),
        data.shell_quote(gz))))
      for _, path in ipairs { plain, gz } do
        local t = data.load_idx(path, 0.5)
        assert.are.same({ rows, cols }, t:shape())
        local got = H.flat(t:totable())
        for i = 1, rows * cols do
          local want = string.unpack("f", string.pack("f", vals[i] * 0.5))
          if got[i] ~= want then
            error(("%s %s: element %d is %.9g, want %.9g"):format(ty, path, i, got[i], want))
          end
        end
      end
    end)
  end
end)
