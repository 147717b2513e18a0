-- The SVG linear axis (lunet.plot.svg.linear_axis) at its rules'
-- boundaries: a flat range padded by 1 around 0 and by 10% elsewhere,
-- sides rounded outwards to a tick only when asked, whole steps for
-- epochs, at least two ticks wanted however short the axis, and labels
-- with the step's decimals up to 6, then %.3g (also from 1e6 up).
local svg = require "lunet.plot.svg"

local function show(a)
  local t = {}
  for _, x in ipairs(a.ticks) do t[#t + 1] = ("%g=%s"):format(x.v, x.label) end
  return ("%g..%g: "):format(a.lo, a.hi) .. table.concat(t, " ")
end

describe("svg.linear_axis", function()
  it("pads a flat range by 1 around 0 and by 10% of the value elsewhere", function()
    assert.are.equal("-1..1: -1=-1 0=0 1=1", show(svg.linear_axis(0, 0, 200, 100)))
    assert.are.equal("4.5..5.5: 4.5=4.5 5=5.0 5.5=5.5", show(svg.linear_axis(5, 5, 200, 100)))
    assert.are.equal("-5.5..-4.5: -5.5=-5.5 -5=-5.0 -4.5=-4.5", show(svg.linear_axis(-5, -5, 200, 100)))
  end)

  it("rounds each side outwards to a tick only when asked", function()
    assert.are.equal("0..10: 0=0 5=5 10=10", show(svg.linear_axis(0.3, 9.7, 300, 100, true, true)))
    assert.are.equal("0.3..9.7: 5=5", show(svg.linear_axis(0.3, 9.7, 300, 100, false, false)))
    assert.are.equal("0..9.5: 0=0 5=5", show(svg.linear_axis(0.5, 9.5, 300, 100, true, false)))
    assert.are.equal("0.5..10: 5=5 10=10", show(svg.linear_axis(0.5, 9.5, 300, 100, false, true)))
  end)

  it("keeps whole steps of at least 1 when asked, and wants two ticks on a short axis", function()
    assert.are.equal("0..0.6: 0=0", show(svg.linear_axis(0, 0.6, 300, 100, false, false, true)))
    assert.are.equal("1..4: 1=1 2=2 3=3 4=4", show(svg.linear_axis(1, 4, 300, 100, false, false, true)))
    assert.are.equal("0..10: 0=0 5=5 10=10", show(svg.linear_axis(0, 10, 50, 100)))
  end)

  it("labels with the step's decimals up to 6, then %.3g, and %.3g from 1e6", function()
    assert.are.equal("-0.3..0.3: -0.3=-0.3 -0.2=-0.2 -0.1=-0.1 0=0.0 0.1=0.1 0.2=0.2 0.3=0.3",
      show(svg.linear_axis(-0.3, 0.3, 600, 100, true, true)))
    assert.are.equal("0..3e-06: 0=0.000000 1e-06=0.000001 2e-06=0.000002 3e-06=0.000003",
      show(svg.linear_axis(0, 3e-6, 300, 100)))
    assert.are.equal("0..3e-07: 0=0 1e-07=1e-07 2e-07=2e-07 3e-07=3e-07", show(svg.linear_axis(0, 3e-7, 300, 100)))
    assert.are.equal("0..1.5e+06: 0=0 500000=500000 1e+06=1e+06 1.5e+06=1.5e+06",
      show(svg.linear_axis(0, 1.5e6, 300, 100)))
  end)
end)
