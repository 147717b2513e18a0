-- Tensor element-wise and reduction kernels at their edges, exactly:
-- relu(-0) is +0, sign(±0) is 0, max and min pick the first of tied
-- values (also along a dimension) and skip NaN (all NaN gives NaN at
-- position 0), clamp keeps the ends, pow by a tensor goes element by element.
local lunet = require "lunet"

describe("tensor kernels at their edges", function()
  for _, dt in ipairs { "float64", "float32" } do
    it("relu and sign at zero (" .. dt .. ")", function()
      local t = lunet.tensor({ -0.0, 0.0, -2, 3 }, dt)
      local r = t:relu()
      assert.are.equal(math.huge, 1 / r[1], "relu(-0) is +0")
      assert.are.same({ 0, 0, 0, 3 }, r:totable())
      assert.are.same({ 0, 0, -1, 1 }, t:sign():totable())
    end)

    it("max and min take the first of ties and skip NaN (" .. dt .. ")", function()
      assert.are.same({ 3, 2 }, { lunet.tensor({ 1, 3, 3, 2 }, dt):max() })
      assert.are.same({ 1, 2 }, { lunet.tensor({ 2, 1, 1, 3 }, dt):min() })
      assert.are.same({ 5, 4 }, { lunet.tensor({ 0 / 0, 1, 0 / 0, 5, 5 }, dt):max() })
      assert.are.same({ -1, 2 }, { lunet.tensor({ 0 / 0, -1, -1 }, dt):min() })
      local v, i = lunet.tensor({ 0 / 0, 0 / 0 }, dt):max()
      assert.is_true(v ~= v)
      assert.are.equal(0, i)
      local mv, mi = lunet.tensor({ { 3, 3 }, { 1, 4 }, { 2, 2 } }, dt):max(2)
      assert.are.same({ 3, 4, 2 }, mv:totable())
      assert.are.same({ 1, 2, 1 }, mi:totable())
      local nv, ni = lunet.tensor({ { 3, 3 }, { 5, 4 } }, dt):min(2)
      assert.are.same({ 3, 4 }, nv:totable())
      assert.are.same({ 1, 2 }, ni:totable())
      assert.are.equal(2, lunet.tensor({ 0, 1, 1 }, dt):argmax())
    end)

    it("clamp keeps values at its ends (" .. dt .. ")", function()
      assert.are.same({ 0, 0, 0.5, 1, 1 }, lunet.tensor({ -1, 0, 0.5, 1, 2 }, dt):clamp(0, 1):totable())
    end)
  end

  it("pow by a tensor raises element by element, broadcast along rows, in place too", function()
    local x = lunet.tensor({ { 2, 3 }, { 4, 9 } }, "float64")
    local p = lunet.tensor({ { 2, 0.5 }, { -1, 0.5 } }, "float64")
    assert.are.same({ { 4, math.sqrt(3) }, { 0.25, 3 } }, x:pow(p):totable())
    assert.are.same({ { 4, 27 }, { 16, 729 } }, x:pow(lunet.tensor({ 2, 3 }, "float64")):totable())
    assert.are.same({ { 2, 9 }, { 4, 81 } }, (x ^ lunet.tensor({ 1, 2 }, "float64")):totable())
    local y = x:clone()
    y:pow_(lunet.tensor({ 2, 1 }, "float64"))
    assert.are.same({ { 4, 3 }, { 16, 9 } }, y:totable())
    assert.are.same({ { 4, 8 }, { 16, 512 } }, (2 ^ x):totable())
  end)
end)
