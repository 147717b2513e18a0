local lunet = require "lunet"
local H = require "spec.helpers"
local json = require "lunet.json"

local function saved(model)
  local path = H.tmpname(".lunet")
  model:save(path)
  return path
end

describe("saving and loading networks", function()
  it("gives bit-identical outputs, float32 and float64", function()
    lunet.seed(31)
    for _, dtype in ipairs { "float32", "float64" } do
      local net = lunet.Network({ 784, 30, 10 }, { dtype = dtype })
      local x = lunet.rand(50, 784)
      local path = saved(net)
      local back = lunet.load(path)
      os.remove(path)
      assert.are.equal(getmetatable(net), getmetatable(back))   -- still a Network
      assert.are.equal(dtype, back:info().dtype)
      assert.are.same(net:feedforward(x):totable(), back:feedforward(x):totable())
      assert.are.same({ 784, 30, 10 }, back.sizes)
      assert.are.equal("cross_entropy", back:cost())
    end
  end)

  it("keeps any layer stack, as a Sequential", function()
    local nn = lunet.nn
    local model = nn.Sequential({ nn.Linear(12, 6), nn.Dropout(0.3), nn.Reshape(2, 3), nn.Tanh(),
      nn.Linear(6, 3), nn.Softmax() }, { cost = "log_likelihood" })
    local x = lunet.rand(4, 12)
    local path = saved(model)
    local back = lunet.load(path)
    os.remove(path)
    assert.are.equal(nn.Sequential, getmetatable(back))
    assert.are.same(model:forward(x):totable(), back:forward(x):totable())
    assert.are.equal(6, #back:layers())
    assert.matches("Dropout%(0.3%)", tostring(back))
  end)

  it("trains on after loading", function()
    lunet.seed(32)
    local data = { x = lunet.rand(30, 4), y = lunet.zeros(30) }
    local net = lunet.Network { 4, 3, 2 }
    local path = saved(net)
    local back = lunet.load(path)
    os.remove(path)
    back:SGD(data, 1, 5, 0.5, { verbose = false, progress = false })
    assert.are_not.same(net.weights[1]:totable(), back.weights[1]:totable())
  end)

  it("writes atomically: no temporary files left, the old file replaced whole", function()
    local dir = H.tmpname("-dir")
    os.execute("mkdir -p " .. dir)
    local path = dir .. "/net.lunet"
    lunet.Network { 4, 3 }:save(path)
    local big = lunet.Network { 40, 30, 3 }
    big:save(path)
    local p = io.popen("ls -A " .. dir)
    local listing = p:read("a")
    p:close()
    assert.are.equal("net.lunet\n", listing)
    assert.are.same({ 40, 30, 3 }, lunet.load(path).sizes)
    os.execute("rm -rf " .. dir)
    assert.matches("cannot write /nonexistent/x.lunet", H.err(function() big:save("/nonexistent/x.lunet") end))
  end)

  it("refuses corrupt, truncated and foreign files with clear errors", function()
    local path = saved(lunet.Network { 6, 4, 2 })
    local good = H.read(path)
    local function load_bytes(s)
      H.write(path, s)
      return H.err(lunet.load, path)
    end
    local mid = #good // 2
    assert.matches("checksum mismatch", load_bytes(good:sub(1, mid) .. string.char((good:byte(mid + 1) + 1) % 256)
      .. good:sub(mid + 2)))
    assert.matches("checksum mismatch", load_bytes(good:sub(1, #good - 10)))
    assert.matches("bad magic", load_bytes("PK\3\4 a zip file, not a model"))
    assert.matches("bad magic", load_bytes(""))
    assert.matches("bad magic", load_bytes(H.read("spec/fixtures/npy/f4_2x3.npy")))
    assert.matches("cannot open", H.err(lunet.load, "/nonexistent/net.lunet"))
    assert.matches("expected a file name", H.err(lunet.load, 42))
    os.remove(path)
  end)

  it("checks every field even when the checksum is right", function()
    -- CRC-32 (zlib's) in plain Lua, to forge files whose checksum matches
    local crc32 = H.crc32
    local path = saved(lunet.Network { 6, 4, 2 })
    local good = H.read(path)
    local body = good:sub(1, #good - 4)
    assert.are.equal(string.pack("<I4", crc32(body)), good:sub(-4))
    local function forged(offset, fmt, value)
      local b = body:sub(1, offset) .. string.pack(fmt, value) .. body:sub(offset + string.packsize(fmt) + 1)
      H.write(path, b .. string.pack("<I4", crc32(b)))
      return H.err(lunet.load, path)
    end
    assert.matches("unsupported model format version", forged(8, "<I4", 7))
    assert.matches("invalid header fields", forged(12, "<I4", 5))           -- dtype
    assert.matches("invalid header fields", forged(60, "<I4", 1000000))     -- layer count
    assert.matches("invalid layer record", forged(64, "<I4", 99))           -- layer type
    assert.matches("takes 6 inputs but receives 7", forged(28, "<I8", 7))   -- input size
    assert.matches("parameter count does not match", forged(64 + 4 * 136, "<I8", 3))
    assert.matches("parameter count does not match", forged(64 + 4 * 136 + 8, "<I8", 5))  -- state count
    local longer = body .. "\0\0\0\0"
    H.write(path, longer .. string.pack("<I4", crc32(longer)))
    assert.matches("parameter data has the wrong length", H.err(lunet.load, path))
    os.remove(path)
  end)
end)

describe("the book's network2.py files", function()
  it("load with the same outputs as the book's feedforward in numpy", function()
    local net = lunet.Network.load_json("spec/fixtures/book/network2.json")
    local f = assert(io.open("spec/fixtures/book/expected.json"))
    local want = json.decode(f:read("a"))
    f:close()
    assert.are.same({ 6, 5, 3 }, net.sizes)
    assert.are.equal("cross_entropy", net:cost())
    local out = net:feedforward(lunet.tensor(want.inputs, "float64"))
    H.near(out, want.outputs, 1e-6)
    local one = net:feedforward(lunet.tensor(want.inputs[2]))
    H.near(one, want.outputs[2], 1e-6)
  end)

  it("refuses files that are not network2.py networks", function()
    local path = H.tmpname(".json")
    H.write(path, '{"sizes": [2, 1], "weights": [[[1, 2]]], "biases": [[[0]]], "cost": "HingeCost"}')
    assert.matches("not a network2.py file", H.err(lunet.Network.load_json, path))
    H.write(path, '{"sizes": [2, 1], "weights": [[[1, 2, 3]]], "biases": [[[0]]], "cost": "QuadraticCost"}')
    assert.matches("layer 1 has the wrong shape", H.err(lunet.Network.load_json, path))
    H.write(path, '{"sizes": [2, 1], "weights": [[[1, 2]]]')
    assert.matches("json: expected ',' or '}'", H.err(lunet.Network.load_json, path))
    os.remove(path)
    assert.matches("No such file", H.err(lunet.Network.load_json, path))
  end)
end)

describe("the JSON reader", function()
  it("reads what network2.py writes", function()
    local v = json.decode(' {"a": [1, -2.5e-3, 3E2], "b": "x\\n\\u00e9", "c": true, "d": null, "e": {}} ')
    assert.are.same({ 1, -0.0025, 300 }, v.a)
    assert.are.equal("x\né", v.b)
    assert.is_true(v.c)
    assert.is_nil(v.d)
    assert.are.same({}, v.e)
  end)

  it("says where the text is wrong", function()
    assert.matches("line 2", H.err(json.decode, '[1,\n 2,, 3]'))
    assert.matches("trailing characters", H.err(json.decode, '[1] 2'))
    assert.matches("unterminated string", H.err(json.decode, '"abc'))
  end)
end)
