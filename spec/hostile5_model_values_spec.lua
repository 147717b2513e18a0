-- Model files whose values no trained network holds, resealed with a right
-- checksum (fifth round of hostile input): NaN or infinite parameters, a
-- negative running variance. Each had loaded and made every output NaN
-- (every prediction class 0) without a word.
local lunet = require "lunet"
local nn = lunet.nn
local H = require "spec.helpers"

local crc32 = H.crc32

-- bytes with the float32 value `back` values before the checksum set to v, resealed
local function patched(bytes, back, v)
  local at = #bytes - 4 - 4 * back + 1
  local body = bytes:sub(1, at - 1) .. string.pack("<f", v) .. bytes:sub(at + 4, #bytes - 4)
  return body .. string.pack("<I4", crc32(body))
end

local C = 3   -- batch norm channels: the file ends with running_mean (3) and running_var (3)

local function model()
  lunet.seed(6)
  return nn.Sequential({ nn.Linear(4, C), nn.BatchNorm(), nn.Tanh(), nn.Linear(C, 2), nn.Softmax() },
    { input = { 4 }, cost = "log_likelihood" })
end

describe("a resealed model file", function()
  local tmp
  before_each(function() tmp = H.tmpname(".lunet") end)
  after_each(function() os.remove(tmp) end)

  it("loads as saved when its values are right (the patching is of the real format)", function()
    local m = model()
    m:save(tmp)
    local bytes = H.read(tmp)
    H.write(tmp, patched(bytes, 1, 2.5))      -- the last running variance: 2.5, still valid
    local back = lunet.load(tmp)
    local state = back:net():param(2, "running_var", "state")
    assert.are.equal(2.5, state[C])
  end)

  it("with a negative running variance is refused", function()
    model():save(tmp)
    H.write(tmp, patched(H.read(tmp), 1, -1))
    assert.matches("layer 2's running_var%[3%] is %-1, and a variance is never negative", H.err(lunet.load, tmp))
  end)

  it("with NaN or infinite parameters or state is refused", function()
    model():save(tmp)
    local good = H.read(tmp)
    for _, v in ipairs { 0 / 0, math.huge, -math.huge } do
      H.write(tmp, patched(good, 2 * C + 1, v))   -- the last parameter (the output bias)
      assert.matches("the network has 1 NaN or infinite parameters", H.err(lunet.load, tmp))
      H.write(tmp, patched(good, C + 1, v))       -- a running mean
      assert.matches("the network's state has 1 NaN or infinite values", H.err(lunet.load, tmp))
    end
  end)

  it("is never written with such values: saving them is refused, nothing is made", function()
    local m = model()
    m:net():parameters()[1] = 0 / 0
    assert.matches("the network has 1 NaN or infinite parameters", H.err(m.save, m, tmp))
    assert.is_nil(io.open(tmp, "rb"))
  end)
end)
