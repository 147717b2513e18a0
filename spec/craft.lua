-- Hostile files built byte by byte for the specs (hostile_parsers_spec,
-- fuzz_regress_spec): .npy, IDX (plain and gzip) and model files with a
-- valid CRC-32, so that a test reaches the check it is about.
local H = require "spec.helpers"

local craft = {}

local CRC_TABLE = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do c = (c & 1) ~= 0 and (0xEDB88320 ~ (c >> 1)) or (c >> 1) end
  CRC_TABLE[i] = c
end

-- zlib's CRC-32 of a string.
function craft.crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do c = CRC_TABLE[(c ~ s:byte(i)) & 0xFF] ~ (c >> 8) end
  return c ~ 0xFFFFFFFF
end

-- Writes bytes to a fresh temporary file and returns its path.
function craft.file(bytes, suffix)
  local path = H.tmpname(suffix)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  return path
end

-- The gzip of bytes, by the gzip program.
function craft.gzip(bytes)
  local path = craft.file(bytes)
  assert(os.execute(("gzip -n -f '%s'"):format(path)))
  local out = H.read(path .. ".gz")
  os.remove(path .. ".gz")
  return out
end

-- A version 1 .npy file with the given header dict text and data bytes.
function craft.npy(header, data)
  local text = header .. (" "):rep(63 - (10 + #header) % 64) .. "\n"
  return "\x93NUMPY\1\0" .. string.pack("<I2", #text) .. text .. (data or "")
end

-- An IDX file: type byte, dimension sizes (uint32 each), data bytes.
function craft.idx(type_byte, dims, data)
  local parts = { string.pack(">BBBB", 0, 0, type_byte, #dims) }
  for _, d in ipairs(dims) do parts[#parts + 1] = string.pack(">I4", d) end
  parts[#parts + 1] = data or ""
  return table.concat(parts)
end

-- Model file fields (csrc/model.c): the numbers of the enums there.
craft.LAYER = { dense = 0, act = 1, softmax = 2, dropout = 3, conv = 4, pool = 5, batchnorm = 6, reshape = 7 }

local function record(l)
  local shape = l.shape or {}
  return string.pack("<I4I8I8I4dI8I8I8I8I4ddI4I8I8I8I8dd",
    craft.LAYER[l.type] or l.type, l.n_in or 0, l.n_out or 0, l.act or 0, l.p or 0,
    l.maps or 0, l.kernel or 0, l.stride or 0, l.pad or 0, l.pool or 0, l.eps or 0, l.momentum or 0,
    l.shape_ndim or #shape, shape[1] or 0, shape[2] or 0, shape[3] or 0, shape[4] or 0,
    l.w_std or 0, l.b_std or 0)
end

-- A model file from its fields, sealed with the right CRC-32:
--   m = {input = {sizes}, layers = {{type =, n_in =, ...}}, nparams =, nstate =,
--        dtype = 0, has_cost = 0, cost = 0, ndim = #input, nlayers = #layers,
--        values = bytes (default: nparams + nstate zeros)}
function craft.model(m)
  local input = m.input
  local dtype = m.dtype or 0
  local parts = { "LUNETNET", string.pack("<I4I4I4I4I4", m.version or 1, dtype, m.has_cost or 0, m.cost or 0,
    m.ndim or #input) }
  for i = 1, 4 do parts[#parts + 1] = string.pack("<I8", input[i] or 0) end
  parts[#parts + 1] = string.pack("<I4", m.nlayers or #m.layers)
  for _, l in ipairs(m.layers) do parts[#parts + 1] = record(l) end
  local np, ns = m.nparams or 0, m.nstate or 0
  parts[#parts + 1] = string.pack("<I8I8", np, ns)
  parts[#parts + 1] = m.values or ("\0"):rep((np + ns) * (dtype == 1 and 8 or 4))
  local body = table.concat(parts)
  return body .. string.pack("<I4", craft.crc32(body))
end

-- bytes with their last 4 replaced by the CRC-32 of the others (a model
-- file or image, a checkpoint).
function craft.reseal(bytes)
  local body = bytes:sub(1, -5)
  return body .. string.pack("<I4", craft.crc32(body))
end

-- Where a model image's first layer record starts, and the offset of its
-- eps field in it (record() above).
craft.RECORD1, craft.EPS = 64, 68

-- A checkpoint's sections (csrc/checkpoint.h) as fields:
--   {version =, model = image, kind =, hp = {values}, reg =, lambda =, n =, t =,
--    dtype =, nparams =, nstate =, state = bytes, rng = {4 integers}, text =}
function craft.checkpoint_fields(bytes)
  assert(bytes:sub(1, 8) == "LUNETCKP", "not a checkpoint")
  local c = { hp = {} }
  local version, model, kind, count, pos = string.unpack("<I4s8I4I4", bytes, 9)
  c.version, c.model, c.kind = version, model, kind
  for i = 1, count do c.hp[i], pos = string.unpack("<d", bytes, pos) end
  c.reg, c.lambda, c.n, c.t, c.dtype, c.nparams, c.nstate, pos = string.unpack("<I4dI8I8I4I8I4", bytes, pos)
  local len = c.nparams * c.nstate * (c.dtype == 1 and 8 or 4)
  c.state, pos = bytes:sub(pos, pos + len - 1), pos + len
  c.rng = { string.unpack("<I8I8I8I8", bytes, pos) }
  c.text, pos = string.unpack("<s8", bytes, table.remove(c.rng))
  assert(pos == #bytes - 3, "trailing bytes")
  return c
end

-- The checkpoint of such fields, sealed with the right CRC-32.
function craft.checkpoint(c)
  local parts = { "LUNETCKP", string.pack("<I4s8I4I4", c.version, c.model, c.kind, #c.hp) }
  for _, v in ipairs(c.hp) do parts[#parts + 1] = string.pack("<d", v) end
  parts[#parts + 1] = string.pack("<I4dI8I8I4I8I4", c.reg, c.lambda, c.n, c.t, c.dtype, c.nparams, c.nstate)
  parts[#parts + 1] = c.state
  parts[#parts + 1] = string.pack("<I8I8I8I8s8", c.rng[1], c.rng[2], c.rng[3], c.rng[4], c.text)
  return craft.reseal(table.concat(parts) .. "\0\0\0\0")
end

-- Runs f(path) on a temporary file holding bytes, removes it, returns
-- f's error message (f must fail).
function craft.err(f, bytes, suffix)
  local path = craft.file(bytes, suffix)
  local ok, msg = pcall(f, path)
  os.remove(path)
  assert(not ok, "expected an error, got none")
  return tostring(msg)
end

return craft
