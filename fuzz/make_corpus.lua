-- make_corpus.lua DIR: writes the seed corpora of the fuzz harnesses
-- (fuzz/*.c) under DIR, one directory per harness, all made here from
-- lunet itself and string.pack, so that no binary file is committed.
--   lua5.4 fuzz/make_corpus.lua build/fuzz/corpus
-- Needs the release module (make) on LUA_CPATH and gzip on the PATH.

local lunet = require "lunet"
local nn = lunet.nn

local dir = assert(arg[1], "usage: make_corpus.lua DIR")

local function sh(cmd)
  assert(os.execute(cmd), "failed: " .. cmd)
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function write(path, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
end

local counts = {}
local function seed(harness, name, bytes)
  sh(("mkdir -p '%s/%s'"):format(dir, harness))
  write(("%s/%s/%s"):format(dir, harness, name), bytes)
  counts[harness] = (counts[harness] or 0) + 1
end

local tmp = os.tmpname()

-- ---- .npy: lunet's own files, and headers NumPy writes that lunet does not

local function saved_npy(t)
  lunet.save_npy(tmp, t)
  return read(tmp)
end

seed("npy", "f32_2x3", saved_npy(lunet.rand(2, 3)))
seed("npy", "f64_4", saved_npy(lunet.rand({ 4 }, { dtype = "float64" })))
seed("npy", "f32_2x0x3", saved_npy(lunet.zeros(2, 0, 3)))
seed("npy", "f32_2x2x2", saved_npy(lunet.rand(2, 2, 2)))

-- A version 1 file with any header text and data bytes.
local function npy(header, data)
  local text = header .. (" "):rep(63 - (10 + #header) % 64) .. "\n"
  return "\x93NUMPY\1\0" .. string.pack("<I2", #text) .. text .. data
end
seed("npy", "u1_fortran", npy("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", "\1\2\3\4\5\6"))
seed("npy", "i2_be", npy("{'descr': '>i2', 'fortran_order': False, 'shape': (3,), }", "\0\1\255\254\128\0"))
seed("npy", "i8_scalar", npy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", string.pack("<i8", -5)))
seed("npy", "f8_be", npy("{'descr': '>f8', 'fortran_order': False, 'shape': (1, 2), }", string.pack(">d>d", 1.5, -2)))
local v2 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n"
seed("npy", "v2", "\x93NUMPY\2\0" .. string.pack("<I4", #v2) .. v2 .. string.pack("<f<f", 1, 2))

-- ---- IDX: plain, gzip (one member and two), and the gz harness's input

local function idx(type_byte, dims, data)
  local parts = { string.pack(">I1I1I1I1", 0, 0, type_byte, #dims) }
  for _, d in ipairs(dims) do parts[#parts + 1] = string.pack(">I4", d) end
  parts[#parts + 1] = data
  return table.concat(parts)
end

local plain = {
  ubyte_3x2x2 = idx(0x08, { 3, 2, 2 }, ("\0\50\100\150\200\255"):rep(2)),
  sbyte_4 = idx(0x09, { 4 }, "\0\127\128\255"),
  int16_2x2 = idx(0x0B, { 2, 2 }, string.pack(">i2>i2>i2>i2", 1, -1, 300, -32768)),
  int32_3 = idx(0x0C, { 3 }, string.pack(">i4>i4>i4", 7, -7, 1 << 30)),
  float32_2 = idx(0x0D, { 2 }, string.pack(">f>f", 0.5, -3)),
  float64_1x2 = idx(0x0E, { 1, 2 }, string.pack(">d>d", 0.25, 1e300)),
  labels_0 = idx(0x08, { 0 }, ""),
}
for name, bytes in pairs(plain) do
  seed("idx", name, bytes)
  seed("idx_gz", name .. "_one", "\0\0" .. bytes)
  seed("idx_gz", name .. "_two", "\1\7" .. bytes)
  seed("idx_gz", name .. "_cut", "\2\3" .. bytes)
  write(tmp, bytes)
  sh(("gzip -n -c '%s' > '%s.gz'"):format(tmp, tmp))
  seed("idx", name .. ".gz", read(tmp .. ".gz"))
end
-- two gzip members, as `cat a.gz b.gz` makes
local whole = plain.ubyte_3x2x2
write(tmp, whole:sub(1, 9))
sh(("gzip -n -c '%s' > '%s.gz'"):format(tmp, tmp))
local first = read(tmp .. ".gz")
write(tmp, whole:sub(10))
sh(("gzip -n -c '%s' > '%s.gz'"):format(tmp, tmp))
seed("idx", "ubyte_two_members.gz", first .. read(tmp .. ".gz"))
os.remove(tmp .. ".gz")

-- ---- model files: every layer type, both dtypes, with and without a cost

local function saved_model(model)
  model:save(tmp)
  return read(tmp)
end

local models = {
  mlp = lunet.Network { 4, 3, 2 },
  mlp_f64 = lunet.Network({ 3, 2 }, { dtype = "float64", cost = "quadratic" }),
  seq = nn.Sequential({ nn.Linear(6, 4), nn.Dropout(0.25), nn.Reshape(2, 2), nn.Tanh(), nn.Linear(4, 3),
    nn.Softmax() }, { cost = "log_likelihood" }),
  conv = nn.Sequential({ nn.Conv2d(1, 2, 3, { stride = 1, pad = 1 }), nn.ReLU(), nn.MaxPool(2),
    nn.Linear(2 * 2 * 2, 2), nn.Sigmoid() }, { input = { 1, 4, 4 }, cost = "cross_entropy" }),
  pools = nn.Sequential({ nn.AvgPool(2), nn.L2Pool(1), nn.Linear(4, 2) }, { input = { 1, 4, 4 } }),
  batchnorm = nn.Sequential({ nn.Linear(3, 3), nn.BatchNorm({ eps = 1e-3, momentum = 0.2 }), nn.ReLU() }),
}
for name, model in pairs(models) do
  local bytes = saved_model(model)
  seed("model", name, bytes)
  seed("model_crc", name, bytes:sub(9, -5))   -- the harness adds magic and CRC
end

-- ---- checkpoints: one training epoch with every optimiser kind (and SGD
-- plain, with momentum and with Nesterov), float32 and float64, on a
-- network with batch-norm state and dropout; each holds the trainer's text

local optimisers = {
  sgd = {}, momentum = { momentum = 0.9 }, nesterov = { momentum = 0.5, nesterov = true },
  adagrad = { optimizer = "adagrad", reg = "l2", lambda = 0.5 },
  rmsprop = { optimizer = { kind = "rmsprop", rho = 0.9 }, reg = "l1", lambda = 0.1 },
  adam = { optimizer = "adam" }, adamw = { optimizer = { kind = "adamw", weight_decay = 0.1 } },
  adamax = { optimizer = "adamax" },
}
for _, dtype in ipairs { "float32", "float64" } do
  for name, extra in pairs(optimisers) do
    lunet.seed(1)
    local net = nn.Sequential({ nn.Linear(4, 3), nn.BatchNorm(), nn.ReLU(), nn.Dropout(0.25), nn.Linear(3, 2),
      nn.Softmax() }, { cost = "log_likelihood", dtype = dtype })
    local data = { x = lunet.rand({ 6, 4 }, { dtype = dtype }), y = lunet.zeros({ 6 }, { dtype = dtype }) }
    for i = 1, 6 do data.y[i] = i % 2 end
    local o = { epochs = 1, batch = 3, eta = 0.05, verbose = false, progress = false, checkpoint = tmp }
    for k, v in pairs(extra) do o[k] = v end
    lunet.train.sgd(net, data, o)
    local bytes = read(tmp)
    seed("checkpoint", name .. "_" .. dtype, bytes)
    seed("checkpoint_crc", name .. "_" .. dtype, bytes:sub(9, -5))   -- the harness adds magic and CRC
  end
end

-- ---- the book's JSON (network2.py's save) and JSON's corners

seed("json", "network2", read("spec/fixtures/book/network2.json"))
seed("json", "small_net", '{"sizes": [2, 1], "weights": [[[0.5, -1e-3]]], "biases": [[[0.25]]],'
  .. ' "cost": "CrossEntropyCost"}')
seed("json", "scalars", ' [1, -2.5e-3, 3E+2, 0.0, true, false, null, "x\\n\\u00e9\\"\\\\\\/"] ')
seed("json", "nested", '{"a": {"b": [[], {}, [{"c": "d"}]]}, "e": ""}')

os.remove(tmp)
for harness, n in pairs(counts) do print(("%s: %d seed files"):format(harness, n)) end
