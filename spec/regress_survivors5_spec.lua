-- Behaviour classes that mutants of the fifth seed (held out: measured on
-- the final tree of stop 15 before these were written) showed unchecked.
local lunet = require "lunet"
local H = require "spec.helpers"

-- An 8x8 image whose pixel (r, c) (0-based) is f(r, c), as one row of 64.
local function image(f)
  local img = lunet.zeros(1, 64, "float64")
  for r = 0, 7 do
    for c = 0, 7 do img[1][r * 8 + c + 1] = f(r, c) end
  end
  return img
end

describe("seed 5 survivors (regression)", function()
  it("an elastic field moves each pixel by at most alpha, in x and in y", function()
    -- bilinear sampling of a ramp gives back the displacement itself, and a
    -- smoothed field of draws in [-1, 1] stays in [-1, 1]: |d| <= alpha
    local alpha = 0.5
    for _, ramp in ipairs { function(_, c) return c end, function(r) return r end } do
      local img = image(ramp)
      lunet.seed(3)
      local set = lunet.data.expand({ x = img, y = lunet.tensor({ 0 }) },
        { shifts = false, elastic = 1, alpha = alpha, sigma = 1.5 })
      local out = lunet.data.sample(set, { 2 })[1]
      local biggest, total, count = 0, 0, 0
      for r = 1, 6 do
        for c = 1, 6 do
          local d = math.abs(out[r * 8 + c + 1] - img[1][r * 8 + c + 1])
          biggest, total, count = math.max(biggest, d), total + d, count + 1
        end
      end
      assert.is_true(biggest <= alpha * (1 + 1e-9), "largest displacement " .. biggest)
      assert.is_true(biggest > 0, "the field moves something")
      assert.is_true(total / count < 0.6 * alpha, "mean displacement " .. total / count)
    end
  end)

  it("a skew moves each row in proportion to its distance from the centre", function()
    lunet.seed(2)
    local img = image(function(_, c) return c end)
    local set = lunet.data.expand({ x = img, y = lunet.tensor({ 0 }) },
      { shifts = false, skews = 1, max_skew = 0.2 })
    local out = lunet.data.sample(set, { 2 })[1]
    -- row r reads column c + s (r - 3.5): at column 3 of a ramp, the shift itself
    local function shift(r) return out[r * 8 + 3 + 1] - 3 end
    assert.is_true(math.abs(shift(7)) > 1e-3, "the skew moves the last row")
    for _, r in ipairs { 0, 1, 2, 5, 6 } do
      H.near(shift(r), shift(7) * (r - 3.5) / 3.5, 1e-12, "row " .. r)
    end
  end)

  it("minimize starts from a tensor of one value", function()
    local function f(v) return (v[1] - 3) ^ 2, lunet.tensor({ 2 * (v[1] - 3) }, "float64") end
    local x = lunet.minimize.minimize(f, lunet.tensor({ 0 }, "float64"), { method = "bfgs" })
    H.near(x[1], 3, 1e-6, "the minimum")
  end)

  it("a version 1.0 .npy header of 256 bytes or more is read whole", function()
    local dict = ("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }" .. (" "):rep(300))
    local text = dict .. (" "):rep((10 + #dict + 1 + 63) // 64 * 64 - 10 - #dict - 1) .. "\n"
    assert.is_true(#text >= 256)
    local path = H.tmpname(".npy")
    H.write(path, "\147NUMPY\1\0" .. string.pack("<I2", #text) .. text .. string.pack("<dd", 1.5, -2))
    local ok, t = pcall(lunet.load_npy, path)
    os.remove(path)
    assert.is_true(ok, tostring(t))
    assert.are.same({ 1.5, -2 }, t:totable())
  end)
end)
