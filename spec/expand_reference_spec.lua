-- data.expand's transforms against plain Lua re-derivations of their
-- definitions: shifts by one pixel (0 where uncovered), rotations about the
-- centre and horizontal skews about the centre row (both sampled
-- bilinearly, 0 outside), and the elastic distortion (Simard, Steinkraus and Platt 2003, as data.expand's
-- docstring states it): per-pixel uniform draws in [-1, 1] from the
-- transform's seed, each field smoothed by a Gaussian of width sigma
-- truncated at 3 sigma and zero beyond the image (rows, then columns),
-- scaled by alpha, and the image sampled bilinearly (0 outside) at
-- (r + dy, c + dx). The draws are splitmix64's finaliser of the seed, the
-- image and the draw's index, as csrc/real/data.inc documents. Every pixel
-- is compared, the border rows and columns (where the truncated kernel
-- matters) included.
local lunet = require "lunet"
local H = require "spec.helpers"

local function hash(z)
  z = (z ~ (z >> 30)) * 0xbf58476d1ce4e5b9
  z = (z ~ (z >> 27)) * 0x94d049bb133111eb
  return z ~ (z >> 31)
end

local function unit_draw(seed, image, k)
  return (hash(hash(seed ~ (image * 0x9e3779b97f4a7c15)) + k) >> 11) * 2.0 ^ -53
end

-- field[r * w + c + 1], smoothed along the columns of each row, then along rows
local function smooth(h, w, sigma, field)
  local radius = math.ceil(3 * sigma)
  local g, total = {}, 0
  for k = -radius, radius do
    g[k] = math.exp(-0.5 * k * k / (sigma * sigma))
    total = total + g[k]
  end
  for k = -radius, radius do g[k] = g[k] / total end
  local tmp, out = {}, {}
  for r = 0, h - 1 do
    for c = 0, w - 1 do
      local v = 0
      for k = -radius, radius do
        if c + k >= 0 and c + k < w then v = v + g[k] * field[r * w + c + k + 1] end
      end
      tmp[r * w + c + 1] = v
    end
  end
  for r = 0, h - 1 do
    for c = 0, w - 1 do
      local v = 0
      for k = -radius, radius do
        if r + k >= 0 and r + k < h then v = v + g[k] * tmp[(r + k) * w + c + 1] end
      end
      out[r * w + c + 1] = v
    end
  end
  return out
end

local function bilinear(h, w, img, sy, sx)
  local function at(r, c) return (r >= 0 and r < h and c >= 0 and c < w) and img[r * w + c + 1] or 0 end
  local r0, c0 = math.floor(sy), math.floor(sx)
  local fy, fx = sy - r0, sx - c0
  return (1 - fy) * ((1 - fx) * at(r0, c0) + fx * at(r0, c0 + 1)) +
    fy * ((1 - fx) * at(r0 + 1, c0) + fx * at(r0 + 1, c0 + 1))
end

local function elastic(h, w, seed, image, alpha, sigma, img)
  local fx, fy = {}, {}
  for i = 0, h * w - 1 do
    fx[i + 1] = 2 * unit_draw(seed, image, 2 * i) - 1
    fy[i + 1] = 2 * unit_draw(seed, image, 2 * i + 1) - 1
  end
  fx, fy = smooth(h, w, sigma, fx), smooth(h, w, sigma, fy)
  local out = {}
  for r = 0, h - 1 do
    for c = 0, w - 1 do
      local i = r * w + c + 1
      out[i] = bilinear(h, w, img, r + alpha * fy[i], c + alpha * fx[i])
    end
  end
  return out
end

local function rotate(h, w, seed, image, max_degrees, img)
  local u = (hash(seed ~ (image * 0x9e3779b97f4a7c15)) >> 11) * 2.0 ^ -53
  local t = (2 * u - 1) * max_degrees * 3.14159265358979323846 / 180.0
  local cs, sn = math.cos(t), math.sin(t)
  local cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
  local out = {}
  for r = 0, h - 1 do
    for c = 0, w - 1 do
      local y, x = r - cy, c - cx
      out[r * w + c + 1] = bilinear(h, w, img, cs * y - sn * x + cy, sn * y + cs * x + cx)
    end
  end
  return out
end

local function skew(h, w, seed, image, max_skew, img)
  local s = (2 * unit_draw(seed, image, 0) - 1) * max_skew
  local cy, out = (h - 1) / 2.0, {}
  for r = 0, h - 1 do
    for c = 0, w - 1 do out[r * w + c + 1] = bilinear(h, w, img, r, c + s * (r - cy)) end
  end
  return out
end

local function shift(h, w, dx, dy, img)
  local out = {}
  for r = 0, h - 1 do
    for c = 0, w - 1 do
      local sr, sc = r - dy, c - dx
      out[r * w + c + 1] = (sr >= 0 and sr < h and sc >= 0 and sc < w) and img[sr * w + sc + 1] or 0
    end
  end
  return out
end

local function images(h, w, n, dtype)
  local x = lunet.zeros(n, h * w, dtype or "float64")
  for s = 1, n do
    for i = 1, h * w do x[s][i] = ((i * 37 + s * 11) % 17) / 4 - 1 end
  end
  return x
end

describe("data.expand shifts, rotations and skews", function()
  it("equal their definitions at every pixel, for each image of a non-square set", function()
    local h, w, n = 5, 7, 2
    for _, dtype in ipairs { "float64", "float32" } do
      local x = images(h, w, n, dtype)
      lunet.seed(3)
      local set = lunet.data.expand({ x = x, y = lunet.tensor({ 0, 1 }) },
        { rotations = 2, max_degrees = 25, skews = 2, max_skew = 0.4, shape = { h, w } })
      local tr = set.expand.transforms
      assert.are.equal(1 + 4 + 2 + 2, #tr)
      local positions = {}
      for i = 1, n * #tr do positions[i] = i end
      local got = lunet.data.sample(set, positions):totable()
      local tol = dtype == "float64" and 1e-12 or 1e-5
      for k, t in ipairs(tr) do
        for s = 1, n do
          local img = x[s]:totable()
          local want
          if t.kind == "identity" then want = img
          elseif t.kind == "shift" then want = shift(h, w, t.dx, t.dy, img)
          elseif t.kind == "rotate" then want = rotate(h, w, t.seed, s - 1, t.max_degrees, img)
          else want = skew(h, w, t.seed, s - 1, t.max_skew, img) end
          H.near(got[(k - 1) * n + s], want, tol, ("%s %s (transform %d), sample %d"):format(dtype, t.kind, k, s))
        end
      end
    end
  end)
end)

describe("data.expand elastic distortions", function()
  it("equal the definition at every pixel, for each image of a non-square set", function()
    local h, w, n = 5, 7, 2
    local x = images(h, w, n)
    for _, case in ipairs { { alpha = 1.5, sigma = 1 }, { alpha = 3, sigma = 0.6 }, { alpha = 0.7, sigma = 2.2 } } do
      lunet.seed(7)
      local set = lunet.data.expand({ x = x, y = lunet.tensor({ 0, 1 }) },
        { shifts = false, elastic = 1, alpha = case.alpha, sigma = case.sigma, shape = { h, w } })
      local seed = set.expand.transforms[2].seed
      assert.are.equal("elastic", set.expand.transforms[2].kind)
      -- positions 3 and 4: the elastic transform of samples 1 and 2 (images 0 and 1)
      local got = lunet.data.sample(set, { 3, 4 }):totable()
      for s = 1, n do
        local want = elastic(h, w, seed, s - 1, case.alpha, case.sigma, x[s]:totable())
        H.near(got[s], want, 1e-12, ("sample %d, alpha %g, sigma %g"):format(s, case.alpha, case.sigma))
      end
    end
  end)

  it("equal the definition on an image of the largest size (4096 pixels)", function()
    -- the field's smoothing then fills its whole work area, so a read past
    -- either end of a row or column of it cannot go unseen
    local h, w = 64, 64
    local x = images(h, w, 1)
    lunet.seed(11)
    local set = lunet.data.expand({ x = x, y = lunet.tensor({ 0 }) },
      { shifts = false, elastic = 1, alpha = 2, sigma = 1.2, shape = { h, w } })
    local got = lunet.data.sample(set, { 2 }):totable()[1]
    local want = elastic(h, w, set.expand.transforms[2].seed, 0, 2, 1.2, x[1]:totable())
    H.near(got, want, 1e-12, "64x64")
  end)
end)
