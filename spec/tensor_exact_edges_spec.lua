-- Tensor element-wise and reduction kernels at their edges, exactly:
-- relu(-0) is +0, sign(±0) is 0, max and min pick the first of tied
-- values (also along a dimension) and skip NaN (all NaN gives NaN at
-- position 0), clamp keeps the ends.
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
end)
