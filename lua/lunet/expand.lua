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

local core = require "lunet.core"

local expand = {}

local function image_side(data, opts)
  if opts.shape then return opts.shape[1], opts.shape[2] end
  local per = data.x:numel() // data.x:size(1)
  local side = math.floor(math.sqrt(per) + 0.5)
  if side * side ~= per then
    error(("expand: %d values per sample is not a square image; give opts.shape = {h, w}"):format(per), 3)
  end
  return side, side
end

function expand.expand(data, opts)
  opts = opts or {}
  if type(data) ~= "table" or not data.x or not data.y then error("expand: expected a data set {x =, y =}", 2) end
  if data.expand then error("expand: the data set is already expanded", 2) end
  local h, w = image_side(data, opts)
  local transforms = { { kind = "identity" } }
  if opts.shifts ~= false then
    for _, d in ipairs { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } } do
      transforms[#transforms + 1] = { kind = "shift", dx = d[1], dy = d[2] }
    end
  end
  local rotations = opts.rotations or 0
  if math.type(rotations) ~= "integer" or rotations < 0 then error("expand: rotations must be an integer >= 0", 2) end
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
  if type(indices) ~= "table" then error("expand.sample: expected a list of positions", 2) end
  return core.gather(data, indices)
end

return expand
