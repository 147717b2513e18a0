-- Plots at their edges: a single point in the terminal, a log axis too
-- narrow for two powers of ten, the tick spacing of linear axes, and the
-- values a monitor's cost panel shows.
local plot = require "lunet.plot"
local svg = require "lunet.plot.svg"

local function labels(axis)
  local out = {}
  for _, t in ipairs(axis.ticks) do if t.label then out[#out + 1] = t.label end end
  return out
end

describe("plots (regression)", function()
  it("a single point in the terminal: the ranges widen by 1 each way and the dot is in the middle", function()
    local s = plot.text { series = { { x = { 5 }, y = { 2 } } }, width = 12, height = 4 }
    local lines = {}
    for line in s:gmatch("[^\n]*") do lines[#lines + 1] = line end
    assert.truthy(lines[1]:match("^3%.0 ┤"), lines[1])
    assert.truthy(lines[4]:match("^1%.0 ┤"), lines[4])
    assert.truthy(s:find("\n     4          6\n", 1, true), s)
    -- exactly one braille cell is set, in the middle column of the 12
    local set = {}
    for r = 1, 4 do
      local area = lines[r]:match("┤(.*)$") or lines[r]:match("│(.*)$")
      local col = 0
      for _, c in utf8.codes(area) do
        col = col + 1
        if c > 0x2800 and c <= 0x28FF then set[#set + 1] = { r, col } end
      end
    end
    assert.are.equal(1, #set)
    assert.is_true(set[1][2] == 6 or set[1][2] == 7, "column " .. set[1][2])
    assert.is_true(set[1][1] == 2 or set[1][1] == 3, "row " .. set[1][1])
  end)

  it("the legend symbol marks a line's end on the top and the bottom row too", function()
    local down = plot.text { series = { { name = "a", y = { 4, 3, 2, 1 } } }, width = 10, height = 3 }
    local up = plot.text { series = { { name = "a", y = { 1, 2, 3, 4 } } }, width = 10, height = 3 }
    local function row(s, n)
      local i = 0
      for line in s:gmatch("[^\n]*") do
        i = i + 1
        if i == n then return line end
      end
    end
    assert.truthy(row(down, 3):match("%*$"), down)
    assert.falsy(row(down, 1):match("%*$"), down)
    assert.truthy(row(up, 1):match("%*$"), up)
    assert.falsy(row(up, 3):match("%*$"), up)
  end)

  it("the legend goes to the first free corner: top right, bottom right, top left, bottom left", function()
    local function where(y)
      local s = plot.line { series = { { name = "s", y = y } }, width = 400, height = 300 }
      local x, yy = s:match('<text x="([%d.]+)" y="([%d.]+)" class="legend">s</text>')
      return (tonumber(x) > 200 and "right" or "left") .. " " .. (tonumber(yy) > 150 and "bottom" or "top")
    end
    assert.are.equal("right top", where { 10, 8, 6, 4, 2, 0 })          -- falling: top right is free
    assert.are.equal("right bottom", where { 0, 2, 4, 6, 8, 10 })       -- rising: bottom right is free
    -- a zigzag over the right half fills both right corners; a level line at 5 leaves the left ones free
    assert.are.equal("left top", where { 5, 5, 5, 5, 5, 5, 5, 5, 0, 10, 0, 10, 0, 10, 0, 10 })
    -- and a start at 9 fills the top left
    assert.are.equal("left bottom", where { 9, 9, 9, 5, 5, 5, 5, 5, 0, 10, 0, 10, 0, 10, 0, 10 })
  end)

  it("a terminal heatmap too wide for its width samples the middle of each column band", function()
    -- 20 columns into 5: bands of 4, whose middles are columns 3, 7, 11, 15, 19
    local d = {}
    for r = 1, 2 do
      d[r] = {}
      for j = 1, 20 do d[r][j] = j % 4 == 3 and 1 or 0 end
    end
    d[1][1] = 0.5   -- never sampled
    assert.are.equal("█████\nblank = 0, █ = 1\n(2 x 20 shown as 2 x 5)\n", plot.text { data = d, width = 5 })
    -- and the same down the rows: 12 rows into 2 lines (4 pixel rows), bands of 3, middles 2, 5, 8, 11
    local tall = {}
    for r = 1, 12 do tall[r] = { (r % 3 == 2) and 1 or 0 } end
    assert.are.equal("█\n█\nblank = 0, █ = 1\n(12 x 1 shown as 4 x 1)\n",
      plot.text { data = tall, width = 5, height = 2 })
  end)

  it("terminal colours follow the SVG palette: blue, vermillion, green, purple, orange, sky blue, default, yellow",
    function()
    local series = {}
    for i = 1, 9 do series[i] = { name = "s" .. i, y = { i, i + 1 } } end
    local s = plot.text { series = series, color = true, width = 10, height = 3 }
    local got = {}
    for code, sym, i in s:gmatch("\27%[(%d+)m(.)\27%[0m s(%d)") do got[tonumber(i)] = { tonumber(code), sym } end
    assert.are.same({ { 34, "*" }, { 31, "o" }, { 32, "+" }, { 35, "x" }, { 33, "#" }, { 36, "@" }, { 39, "%" },
      { 93, "&" }, { 34, "*" } }, got)
  end)

  it("a log axis within one decade labels its 1-2-5 ticks instead", function()
    local axis = svg.log_axis(300, 3000, 200, 300, 3000)
    assert.are.same({ "500", "1000", "2000" }, labels(axis))
    -- one value at an exact power of ten still spans a whole decade
    local flat = svg.log_axis(10, 10, 200)
    assert.are.equal(10, flat.lo)
    assert.are.equal(100, flat.hi)
    assert.are.same({ "10", "20", "50", "100" }, labels(flat))   -- one decade: 1-2-5 labels
    assert.are.equal(10, #flat.ticks)   -- and its minor ticks 20 .. 90
    local wide = svg.log_axis(0.002, 30, 400)
    assert.are.same({ "10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹", "10²" }, labels(wide))
    assert.are.equal(0.001, wide.lo)
    assert.are.equal(100, wide.hi)
  end)

  it("linear axes take one tick per `spacing` pixels on 1-2-5 steps", function()
    -- 0..10 over 350 px at 70 px per tick: 5 intervals wanted, raw step 2: ticks 0, 2, ..., 10
    assert.are.same({ "0", "2", "4", "6", "8", "10" }, labels(svg.linear_axis(0, 10, 350, 70, true, true)))
    -- 10 intervals wanted: raw step 1
    assert.are.same({ "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10" },
      labels(svg.linear_axis(0, 10, 700, 70, true, true)))
    -- 0.13..0.87 expanded outwards to 0.1..0.9 in steps of 0.1
    local a = svg.linear_axis(0.13, 0.87, 560, 70, true, true)
    assert.are.same({ "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9" }, labels(a))
    assert.is_true(math.abs(a.lo - 0.1) < 1e-12 and math.abs(a.hi - 0.9) < 1e-12)
    -- not expanded: the ends stay, the ticks are those inside
    local b = svg.linear_axis(0.13, 0.87, 560, 70, false, false)
    assert.are.equal(0.13, b.lo)
    assert.are.equal(0.87, b.hi)
    assert.are.same({ "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8" }, labels(b))
    -- epochs: never a step below 1
    assert.are.same({ "1", "2", "3" }, labels(svg.linear_axis(1, 3, 700, 70, false, false, true)))
  end)

  it("a monitor's cost panel shows the costs themselves", function()
    local s = plot.monitor { training_cost = { 0.5, 0.25, 0.125 } }
    local ticks = {}
    for v in s:gmatch('class="ytick">([^<]*)</text>') do ticks[#ticks + 1] = tonumber(v) end
    table.sort(ticks)
    assert.is_true(#ticks >= 2)
    assert.is_true(ticks[1] <= 0.125 and ticks[1] >= 0, "lowest tick " .. ticks[1])
    assert.is_true(ticks[#ticks] >= 0.5 and ticks[#ticks] < 1, "highest tick " .. ticks[#ticks])
  end)
end)
