local lunet = require "lunet"
local H = require "spec.helpers"

-- Three 4x4 images with distinct pixels.
local function images()
  local x = lunet.arange(48):view(3, 16):add(1)
  return { x = x, y = lunet.tensor({ 0, 1, 2 }), n = 3 }
end

local function grid(t)  -- a 16-vector as a 4x4 Lua table
  local g = {}
  for r = 1, 4 do
    g[r] = {}
    for c = 1, 4 do g[r][c] = t[(r - 1) * 4 + c] end
  end
  return g
end

describe("data expansion", function()
  it("makes the book's four 1-pixel shifts of every image, on the fly", function()
    local data = images()
    local big = lunet.data.expand(data, { shifts = true })
    assert.are.equal(15, big.n)
    assert.are.equal(data.x, big.x)   -- no copy of the images
    local s = lunet.data.sample(big, { 2, 5, 8, 11, 14 })   -- image 2 and its four shifts
    local orig = grid(s[1])
    local right, left, down, up = grid(s[2]), grid(s[3]), grid(s[4]), grid(s[5])
    for r = 1, 4 do
      for c = 1, 4 do
        assert.are.equal(c > 1 and orig[r][c - 1] or 0, right[r][c])
        assert.are.equal(c < 4 and orig[r][c + 1] or 0, left[r][c])
        assert.are.equal(r > 1 and orig[r - 1][c] or 0, down[r][c])
        assert.are.equal(r < 4 and orig[r + 1][c] or 0, up[r][c])
      end
    end
    assert.are.same(data.x[2]:totable(), s[1]:totable())
  end)

  it("rotates by small angles fixed by lunet.seed", function()
    local data = images()
    lunet.seed(5)
    local a = lunet.data.sample(lunet.data.expand(data, { shifts = false, rotations = 2, max_degrees = 20 }),
      { 4, 5, 6, 7, 8, 9 })
    lunet.seed(5)
    local b = lunet.data.sample(lunet.data.expand(data, { shifts = false, rotations = 2, max_degrees = 20 }),
      { 4, 5, 6, 7, 8, 9 })
    lunet.seed(6)
    local c = lunet.data.sample(lunet.data.expand(data, { shifts = false, rotations = 2, max_degrees = 20 }),
      { 4, 5, 6, 7, 8, 9 })
    assert.are.same(a:totable(), b:totable())
    assert.are_not.same(a:totable(), c:totable())
    assert.are_not.same(a[1]:totable(), data.x[1]:totable())
    -- a rotation by at most 20 degrees about the centre keeps the mass near where it was
    H.near(a[1]:sum(), data.x[1]:sum(), 0.35)
  end)

  it("a rotation by 0 degrees is the identity", function()
    local data = images()
    local r = lunet.data.sample(lunet.data.expand(data, { shifts = false, rotations = 1, max_degrees = 0 }), { 4 })
    H.near(r[1], data.x[1], 1e-6)
  end)

  it("checks its arguments", function()
    assert.matches("expected a data set", H.err(lunet.data.expand, {}))
    assert.matches("not a square image", H.err(lunet.data.expand, { x = lunet.zeros(2, 5), y = lunet.zeros(2) }))
    assert.matches("already expanded", H.err(lunet.data.expand, lunet.data.expand(images())))
    assert.matches("position 16 out of range 1..15", H.err(lunet.data.sample, lunet.data.expand(images()), { 16 }))
  end)
end)
