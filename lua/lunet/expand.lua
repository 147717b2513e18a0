-- lunet.expand: the book's expansion of the training data, made on the fly.
--
--   local bigger = lunet.data.expand(training, { shifts = true, rotations = 1, max_degrees = 10 })
--   net:SGD(bigger, ...)         -- 50,000 images become 250,000 (or 300,000)
--
-- An expanded set holds the same x and y tensors plus a list of
-- transforms; sample i of it is transform (i-1) // N applied to stored
-- image (i-1) % N + 1 (N stored images), made in C while mini-batches are
-- gathered, so the expanded images never exist in memory all at once.
-- Transforms, in order: the image itself; with shifts, the 1-pixel shifts
-- right, left, down and up (the book's); then `rotations` sets of small
-- rotations, each image turned by an angle in [-max_degrees, max_degrees]
-- that is a function of the image and of a seed drawn from lunet's
-- generator, so lunet.seed(n) fixes every angle.
--
-- expand.sample(set, indices) returns the (virtual) samples at the given
-- 1-based positions as a tensor (k, h*w), e.g. to look at them.

local errors = require "lunet.errors"
local core = require "lunet.core"

local expand = {}

local function is_tensor(x)
  return getmetatable(x) == core.tensor_metatable
end

local function image_side(data, opts)
  local per = data.x:numel() // data.x:size(1)
  if opts.shape ~= nil then
    local s = opts.shape
    local h, w = type(s) == "table" and s[1], type(s) == "table" and s[2]
    if math.type(h) ~= "integer" or math.type(w) ~= "integer" or h < 1 or w < 1 or #s ~= 2 then
      errors.raise("expand: shape must be {h, w}, two positive integers")
    end
    if h * w ~= per or h > per or w > per then
      errors.raise(("expand: shape {%d, %d} has %s values but samples have %d"):format(h, w, h * w, per))
    end
    return h, w
  end
  local side = math.floor(math.sqrt(per) + 0.5)
  if side * side ~= per then
    errors.raise(("expand: %d values per sample is not a square image; give opts.shape = {h, w}"):format(per))
  end
  return side, side
end

local KNOWN = { shifts = true, rotations = true, max_degrees = true, shape = true }

function expand.expand(data, opts)
  opts = opts or {}
  if type(opts) ~= "table" then errors.raise("expand: options must be a table") end
  for k in pairs(opts) do
    if not KNOWN[k] then
      errors.raise(("expand: unknown option '%s' (valid: max_degrees, rotations, shape, shifts)"):format(tostring(k)))
    end
  end
  if type(data) ~= "table" or not is_tensor(data.x) or not is_tensor(data.y) then
    errors.raise("expand: expected a data set {x =, y =} of tensors")
  end
  if data.expand then errors.raise("expand: the data set is already expanded") end
  if data.x:dim() < 2 or data.x:size(1) < 1 then errors.raise("expand: inputs must be (samples, ...) with samples") end
  local md = opts.max_degrees
  if md ~= nil and (type(md) ~= "number" or not (md >= 0 and md < math.huge)) then
    errors.raise("expand: max_degrees must be a finite number >= 0")
  end
  local h, w = image_side(data, opts)
  local transforms = { { kind = "identity" } }
  if opts.shifts ~= false then
    for _, d in ipairs { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } } do
      transforms[#transforms + 1] = { kind = "shift", dx = d[1], dy = d[2] }
    end
  end
  local rotations = opts.rotations or 0
  if math.type(rotations) ~= "integer" or rotations < 0 or #transforms + rotations > 64 then
    errors.raise(("expand: rotations must be an integer from 0 to %d"):format(64 - #transforms))
  end
  for _ = 1, rotations do
    local seed = math.floor(core.rand(1, "float64")[1] * 2 ^ 53)
    transforms[#transforms + 1] = { kind = "rotate", max_degrees = opts.max_degrees or 10, seed = seed }
  end
  local n = data.x:size(1)
  return {
    x = data.x, y = data.y, n = n * #transforms,
    name = (data.name or "data") .. " (expanded)",
    expand = { h = h, w = w, transforms = transforms },
  }
end

function expand.sample(data, indices)
  if type(indices) ~= "table" then errors.raise("expand.sample: expected a list of positions") end
  return core.gather(data, indices)
end

return expand
