-- Where a line chart's legend goes: the first corner, in the order
-- top-right, bottom-right, top-left, bottom-left, with the fewest drawn
-- points under its box, 8 px inside the frame. The frame here is 34.4 ..
-- 276 by 16 .. 172 (see plot_frame_spec.lua) and the box 60.4 x 46.
local plot = require "lunet.plot"

local function legend_box(ys)
  local s = plot.line { series = { { name = "aa", y = ys }, { name = "b", y = { 5, 5 } } }, width = 300,
    height = 200, ymin = 0, ymax = 10 }
  return s:match('<rect x="([%d.]+)" y="([%d.]+)" width="60.4" height="46" rx="3"')
end

describe("line chart legend placement", function()
  it("takes the top-right corner when it is free", function()
    assert.are.same({ "207.6", "24" }, { legend_box { 10, 0 } })
    assert.are.same({ "207.6", "24" }, { legend_box { 10, 10 } })
  end)

  it("moves to the bottom right, then the top left, then the bottom left", function()
    assert.are.same({ "207.6", "118" }, { legend_box { 0, 10 } })
    assert.are.same({ "42.4", "24" }, { legend_box { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 10 } })
    assert.are.same({ "42.4", "118" }, { legend_box { 10, 10, 10, 10, 5, 5, 5, 5, 5, 5, 10, 0, 10 } })
  end)
end)
