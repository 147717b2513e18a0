-- Shared by the specs: tolerant comparisons and plain-Lua references.
local H = {}

-- Flattens nested tables (a tensor's totable()) in row-major order.
function H.flat(t, out)
  out = out or {}
  if type(t) ~= "table" then
    out[#out + 1] = t
    return out
  end
  for _, v in ipairs(t) do H.flat(v, out) end
  return out
end

-- Largest absolute difference, treating NaN == NaN.
function H.maxdiff(a, b)
  local fa, fb = H.flat(a), H.flat(b)
  assert(#fa == #fb, ("sizes differ: %d vs %d"):format(#fa, #fb))
  local worst = 0
  for i = 1, #fa do
    local x, y = fa[i], fb[i]
    if not (x ~= x and y ~= y) then
      local d = math.abs(x - y)
      if d ~= d or d == math.huge then return math.huge end
      worst = math.max(worst, d)
    end
  end
  return worst
end

-- Asserts two numbers, tables or tensors agree within tol (absolute and
-- relative to magnitude).
function H.near(a, b, tol, what)
  tol = tol or 1e-6
  if type(a) == "userdata" then a = a:totable() end
  if type(b) == "userdata" then b = b:totable() end
  local fa, fb = H.flat(a), H.flat(b)
  assert(#fa == #fb, ("%s: sizes differ: %d vs %d"):format(what or "values", #fa, #fb))
  for i = 1, #fa do
    local x, y = fa[i], fb[i]
    local ok = (x ~= x and y ~= y) or x == y or math.abs(x - y) <= tol * math.max(1, math.abs(x), math.abs(y))
    if not ok then
      error(("%s: element %d: %.9g vs %.9g (tol %g)"):format(what or "values", i, x, y, tol), 2)
    end
  end
  return true
end

-- Applies f to every element of nested tables.
function H.map(t, f)
  if type(t) ~= "table" then return f(t) end
  local out = {}
  for i, v in ipairs(t) do out[i] = H.map(v, f) end
  return out
end

function H.map2(a, b, f)
  if type(a) ~= "table" then return f(a, b) end
  local out = {}
  for i = 1, #a do out[i] = H.map2(a[i], b[i], f) end
  return out
end

-- Plain matrix product of nested tables.
function H.matmul(a, b)
  local out = {}
  for i = 1, #a do
    out[i] = {}
    for j = 1, #b[1] do
      local s = 0
      for k = 1, #b do s = s + a[i][k] * b[k][j] end
      out[i][j] = s
    end
  end
  return out
end

function H.transpose(a)
  local out = {}
  for j = 1, #a[1] do
    out[j] = {}
    for i = 1, #a do out[j][i] = a[i][j] end
  end
  return out
end

-- Error message of a call that must fail (asserts that it fails).
function H.err(f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "expected an error, got none")
  return tostring(msg)
end

-- Asserts that f(...) fails with a message containing the plain text `text`.
function H.refused(text, f, ...)
  local err = H.err(f, ...)
  assert(err:find(text, 1, true), ("expected %q in: %s"):format(text, err))
  return err
end

-- zlib's CRC-32 of a string (the checksum of lunet's model and checkpoint
-- files), for specs that tamper with a file and reseal it so that the
-- checks after the checksum are reached.
function H.crc32(s)
  local crc = 0xffffffff
  for i = 1, #s do
    crc = crc ~ s:byte(i)
    for _ = 1, 8 do crc = (crc >> 1) ~ (0xedb88320 & -(crc & 1)) end
  end
  return crc ~ 0xffffffff
end

function H.tmpname(suffix)
  local name = os.tmpname()
  os.remove(name)
  return name .. (suffix or "")
end

function H.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

function H.write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- A table that answers like `inner`, but runs `hook` the first time `key`
-- is read: a hostile argument for the binding's argument-reading rule.
function H.trap(inner, key, hook)
  local fired = false
  return setmetatable({}, { __index = function(_, k)
    if k == key and not fired then
      fired = true
      hook()
    end
    return inner[k]
  end })
end

-- A hook that closes t and runs the collector.
function H.close_and_collect(t)
  return function()
    t:close()
    collectgarbage()
    collectgarbage()
  end
end

-- A (r, c) float tensor with distinct values and the Lua table of them,
-- stored as given ("plain"), as the transpose of a (c, r) tensor
-- ("transposed", a column-major view) or as a block narrowed out of a wider
-- tensor of NaN ("narrowed", rows apart by c + 7). For the product specs.
function H.layout_matrix(r, c, dtype, layout, salt)
  local lunet = require "lunet"
  local t = {}
  for i = 1, r do
    t[i] = {}
    for j = 1, c do t[i][j] = ((i * 7 + j * 3 + salt) % 11 - 5) / 4 end
  end
  if layout == "plain" then return lunet.tensor(t, dtype), t end
  if layout == "transposed" then return lunet.tensor(H.transpose(t), dtype):t(), t end
  assert(layout == "narrowed", "layout_matrix: plain, transposed or narrowed")
  local wide = lunet.zeros(r, c + 7, dtype):fill(0 / 0)
  local block = wide:narrow(2, 3, c)
  block:copy(lunet.tensor(t, dtype))
  return block, t
end

-- tmp(suffix) -> a temporary path, remembered; clean() removes them all.
function H.temp_files()
  local paths = {}
  local function tmp(suffix)
    local p = H.tmpname(suffix)
    paths[#paths + 1] = p
    return p
  end
  local function clean()
    for _, p in ipairs(paths) do os.remove(p) end
  end
  return tmp, clean
end

-- The process's resident memory in MB (nil where /proc is missing).
function H.rss_mb()
  local f = io.open("/proc/self/status")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmRSS:%s+(%d+)")) / 1024
end

-- The flat parameters of a small chapter-6-shaped network (two 5x5
-- convolutions of maps1 and maps2 maps, each pooled and rectified, a dense
-- layer to 3 classes) after two epochs of mini-batches of 10 on n random
-- images, from lunet.seed(seed), on the current thread count and kernels.
function H.tiny_convnet_params(seed, maps1, maps2, n)
  local lunet = require "lunet"
  local nn = lunet.nn
  lunet.seed(seed)
  local model = nn.Sequential({ nn.Conv2d(1, maps1, 5), nn.MaxPool(2), nn.ReLU(), nn.Conv2d(maps1, maps2, 5),
    nn.MaxPool(2), nn.ReLU(), nn.Reshape(maps2 * 4 * 4), nn.Linear(maps2 * 16, 3), nn.Softmax() },
    { input = { 1, 28, 28 }, cost = "log_likelihood" })
  local x = lunet.rand(n, 1, 28, 28)
  local y = lunet.zeros(n, 3)
  for i = 1, n do y[{ i, i % 3 + 1 }] = 1 end
  lunet.train.sgd(model, { x = x, y = y }, { epochs = 2, batch = 10, eta = 0.05, verbose = false, progress = false })
  return model:flat_parameters():clone()
end

-- Options of a quiet one-epoch train.sgd run (eta 0.1, mini-batch `batch`,
-- 3 by default), with t's entries over them.
function H.sgd_opts(t, batch)
  local o = { epochs = 1, batch = batch or 3, eta = 0.1, verbose = false, progress = false }
  for k, v in pairs(t or {}) do o[k] = v end
  return o
end

-- A 4-3 softmax model and six samples of its three classes, for the specs
-- of train.sgd's options.
function H.softmax_model()
  local lunet, nn = require "lunet", require "lunet.nn"
  lunet.seed(9)
  return nn.Sequential({ nn.Linear(4, 3), nn.Softmax() }, { input = { 4 }, cost = "log_likelihood" })
end

function H.softmax_data()
  local lunet = require "lunet"
  lunet.seed(10)
  return { x = lunet.rand(6, 4), y = lunet.tensor({ 0, 1, 2, 0, 1, 2 }) }
end

-- A = Q diag(d) Q^T, d geometric from 1 to cond, Q three seeded Householder
-- reflections, symmetrised; b seeded normal, drawn after Q (as
-- bench/minimize.lua draws them, so seed 2024 and cond 1000 give its 100-d
-- problem). Returns A, b (float64).
function H.conditioned_quadratic(n, cond, seed)
  local lunet = require "lunet"
  lunet.seed(seed)
  local q = lunet.zeros(n, n, "float64")
  for i = 1, n do q[i][i] = 1 end
  for _ = 1, 3 do
    local u = lunet.randn(n, "float64")
    local r = lunet.outer(u, u):mul(-2 / u:dot(u))
    for i = 1, n do r[i][i] = r[i][i] + 1 end
    q = lunet.matmul(q, r)
  end
  local d = {}
  for i = 1, n do d[i] = cond ^ ((i - 1) / (n - 1)) end
  local a = lunet.matmul(q:mul(lunet.tensor(d, "float64"):view(1, n)), q:t())
  return a:add(a:t()):mul(0.5), lunet.randn(n, "float64")
end

-- s quoted for sh: single quotes, each ' inside written as '\''.
function H.shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- Runs cmd under sh with stderr merged; returns whether it exited 0, and
-- its output.
function H.sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  return p:close() == true, out
end

return H
