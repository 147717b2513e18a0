-- When a legend is drawn (several series, or one with a name; unnamed ones
-- are called "series i"), and the diverging colour map: 0 is white (not
-- drawn on the white page) even when every value is 0, -m and m are the
-- map's ends, values between are interpolated.
local plot = require "lunet.plot"

local function legend_names(o)
  local t = {}
  for l in plot.line(o):gmatch('class="legend">([^<]*)<') do t[#t + 1] = l end
  return t
end

describe("legend names", function()
  it("are drawn for two series or one named series, not for one unnamed series", function()
    assert.are.same({}, legend_names { series = { { y = { 1, 2 } } } })
    assert.are.same({ "only" }, legend_names { series = { { name = "only", y = { 1, 2 } } } })
    assert.are.same({ "series 1", "series 2" }, legend_names { series = { { y = { 1, 2 } }, { y = { 2, 1 } } } })
    assert.are.same({ "series 1", "b" }, legend_names { series = { { y = { 1, 2 } }, { name = "b", y = { 2, 1 } } } })
  end)
end)

describe("the diverging colour map", function()
  local function cells(s)
    local t = {}
    for x, y, fill in s:gmatch('<rect x="(%d+)" y="(%d+)" width="1" height="1" fill="(#%x+)"/>') do
      t[#t + 1] = x .. "," .. y .. " " .. fill
    end
    return t
  end

  it("leaves zeros white, also when every value is zero", function()
    assert.are.same({}, cells(plot.images { images = { { { 0, 0 }, { 0, 0 } } }, cmap = "diverging", scale = 1 }))
  end)

  it("puts -m and m at the map's ends and interpolates between", function()
    local s = plot.images { images = { { { -1, 1 }, { 0, 0.5 } } }, cmap = "diverging", scale = 1, normalize = false }
    assert.are.same({ "0,0 #2166ac", "1,0 #b2182b", "1,1 #d88b94" }, cells(s))
  end)
end)
