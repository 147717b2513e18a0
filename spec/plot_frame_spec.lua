-- An axis chart's frame, exactly: 16 px above the plot without a title and
-- 40 with one, 28 below it for the tick labels plus 20 for an x label, 12
-- + the widest y tick label (7.2 px a character at 12 px) + 8 on the left
-- plus 20 for a y label, 24 on the right; the series are clipped to the
-- frame grown by 5 px on each side.
local plot = require "lunet.plot"

local function has(svg, s) assert.truthy(svg:find(s, 1, true), s) end

local BASE = { series = { { y = { 0, 1, 2 } } }, width = 300, height = 200, ymin = 0, ymax = 2 }

local function chart(extra)
  local o = {}
  for k, v in pairs(BASE) do o[k] = v end
  for k, v in pairs(extra) do o[k] = v end
  return plot.line(o)
end

describe("axis chart frame", function()
  it("without title or axis labels", function()
    local s = chart {}
    has(s, '<line x1="27.2" y1="16" x2="27.2" y2="172" stroke="#444444"/>')
    has(s, '<line x1="27.2" y1="172" x2="276" y2="172" stroke="#444444"/>')
    has(s, '<text x="19.2" y="176" text-anchor="end" class="ytick">0</text>')
    has(s, '<text x="151.6" y="191" text-anchor="middle" class="xtick">2</text>')
    has(s, '<svg x="22.2" y="11" width="258.8" height="166" viewBox="22.2 11 258.8 166" overflow="hidden">')
    has(s, 'd="M27.2 172 L151.6 94 L276 16"')
  end)

  it("with a title, an x label and a y label", function()
    local s = chart { title = "T", xlabel = "x", ylabel = "y" }
    has(s, '<text x="150" y="24" text-anchor="middle" font-size="16" font-weight="bold">T</text>')
    has(s, '<line x1="47.2" y1="40" x2="47.2" y2="152" stroke="#444444"/>')
    has(s, '<line x1="47.2" y1="152" x2="276" y2="152" stroke="#444444"/>')
    has(s, '<text x="161.6" y="194" text-anchor="middle">x</text>')
    has(s, '<text x="16" y="96" text-anchor="middle" transform="rotate(-90 16 96)">y</text>')
    has(s, '<svg x="42.2" y="35" width="238.8" height="122" viewBox="42.2 35 238.8 122" overflow="hidden">')
  end)

  it("each of title, x label and y label moves only its own side", function()
    has(chart { title = "T" }, '<line x1="27.2" y1="40" x2="27.2" y2="172" stroke="#444444"/>')
    has(chart { xlabel = "x" }, '<line x1="27.2" y1="16" x2="27.2" y2="152" stroke="#444444"/>')
    has(chart { ylabel = "y" }, '<line x1="47.2" y1="16" x2="47.2" y2="172" stroke="#444444"/>')
  end)
end)
