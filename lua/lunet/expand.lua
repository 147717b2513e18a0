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
-- generator, so lunet.seed(n) fixes every angle; then `skews` sets of
-- horizontal shears (pixel (r, c) taken from (r, c + s (r - centre)), s in
-- [-max_skew, max_skew], default 0.3), then `elastic` sets of Simard et
-- al.'s elastic distortions (2003): per image, a displacement field of
-- uniform draws in [-1, 1] per pixel and direction, smoothed by a Gaussian
-- of width `sigma` (default 4 pixels) and scaled by `alpha` (default 34),
-- the image resampled bilinearly at the displaced positions. Like the
-- angles, each shear and field is a function of the image and a seed drawn
-- from lunet's generator. Elastic distortions work on images of up to
-- 4096 pixels.
--
-- expand.sample(set, indices) returns the (virtual) samples at the given
-- 1-based positions as a tensor (k, h*w), e.g. to look at them.

local errors = require "lunet.errors"
local core = require "lunet.core"

local expand = {}

local is_tensor = core.is_tensor

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

local KNOWN = { shifts = true, rotations = true, max_degrees = true, shape = true, skews = true, max_skew = true,
  elastic = true, alpha = true, sigma = true }

local function check_number(opts, key, ok, what)
  local v = opts[key]
  if v ~= nil and (type(v) ~= "number" or not ok(v)) then errors.raise(("expand: %s must be %s"):format(key, what)) end
end

-- n transforms of a kind, each with a seed drawn from lunet's generator.
local function add_seeded(transforms, n, what, make)
  if math.type(n) ~= "integer" or n < 0 or #transforms + n > 64 then
    errors.raise(("expand: %s must be an integer from 0 to %d"):format(what, 64 - #transforms))
  end
  for _ = 1, n do
    local t = make()
    t.seed = math.floor(core.rand(1, "float64")[1] * 2 ^ 53)
    transforms[#transforms + 1] = t
  end
end

--- data.expand(set [, opts]) -> expanded set
-- The book's expansion of a training set, made on the fly in C as
-- mini-batches are gathered (nothing is copied): every image, then with
-- shifts (default true) its four 1-pixel shifts, then `rotations` sets of
-- rotations by up to max_degrees (10), `skews` sets of horizontal shears by a
-- factor up to max_skew (0.3), `elastic` sets of elastic distortions (alpha =
-- 34, sigma = 4, at most 16; images of up to 4096 pixels); every angle, shear
-- and field is fixed by lunet.seed; at most 64 transforms in all, the image
-- itself included. The result {x, y, n = N times the number
-- of transforms, name, expand} trains like any set. shape = {h, w} when the
-- images are not square; an expanded set cannot be expanded again.
function expand.expand(data, opts)
  opts = opts or {}
  if type(opts) ~= "table" then errors.raise("expand: options must be a table") end
  for k in pairs(opts) do
    if not KNOWN[k] then
      errors.raise(
        ("expand: unknown option '%s' (valid: alpha, elastic, max_degrees, max_skew, rotations, shape, shifts, "
        .. "sigma, skews)"):format(tostring(k)))
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
  check_number(opts, "max_skew", function(v) return v >= 0 and v < math.huge end, "a finite number >= 0")
  check_number(opts, "alpha", function(v) return v >= 0 and v < math.huge end, "a finite number >= 0")
  check_number(opts, "sigma", function(v) return v > 0 and v <= 16 end, "a number in (0, 16]")
  local h, w = image_side(data, opts)
  local transforms = { { kind = "identity" } }
  if opts.shifts ~= false then
    for _, d in ipairs { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } } do
      transforms[#transforms + 1] = { kind = "shift", dx = d[1], dy = d[2] }
    end
  end
  add_seeded(transforms, opts.rotations or 0, "rotations",
    function() return { kind = "rotate", max_degrees = opts.max_degrees or 10 } end)
  add_seeded(transforms, opts.skews or 0, "skews",
    function() return { kind = "skew", max_skew = opts.max_skew or 0.3 } end)
  if (opts.elastic or 0) ~= 0 and h * w > 4096 then
    errors.raise(("expand: elastic distortions work on images of at most 4096 pixels, not %dx%d"):format(h, w))
  end
  add_seeded(transforms, opts.elastic or 0, "elastic",
    function() return { kind = "elastic", alpha = opts.alpha or 34, sigma = opts.sigma or 4 } end)
  local n = data.x:size(1)
  return {
    x = data.x, y = data.y, n = n * #transforms,
    name = (data.name or "data") .. " (expanded)",
    expand = { h = h, w = w, transforms = transforms },
  }
end

--- data.sample(set, indices) -> tensor
-- The samples of a (possibly expanded) set at the given 1-based positions
-- (a Lua list), as a tensor (k, h*w), e.g. to look at expanded images.
function expand.sample(data, indices)
  if type(indices) ~= "table" then errors.raise("expand.sample: expected a list of positions") end
  return core.gather(data, indices)
end

return expand
