-- The SVG log axis (lunet.plot.svg.log_axis) at each of its rules'
-- boundaries: a label every k decades so labels stay 28 px apart, minor
-- ticks up to 6 decades, the 2 and 5 ticks labelled when fewer than 4
-- powers are and a decade is at least 28 / log10(2) = 93.01 px long,
-- plain numbers for 10^-3 .. 10^4 and m×10^e beyond, and a narrow fixed
-- range labelled at its 1-2-5 ticks.
local svg = require "lunet.plot.svg"

-- "value[m][=label] ..." for each tick (m: minor)
local function ticks(a)
  local t = {}
  for _, x in ipairs(a.ticks) do
    t[#t + 1] = ("%g%s%s"):format(x.v, x.minor and "m" or "", x.label and ("=" .. x.label) or "")
  end
  return table.concat(t, " ")
end

local function minors(from, to, step)
  local t = {}
  for m = from, to, step do t[#t + 1] = ("%gm"):format(m) end
  return table.concat(t, " ")
end

describe("svg.log_axis", function()
  it("labels every decade while 6 decades * 28 px fit the length, every other one below", function()
    local all = svg.log_axis(1, 1e6, 168)
    local labels, every2 = {}, {}
    for _, t in ipairs(all.ticks) do if t.label then labels[#labels + 1] = t.label end end
    assert.are.same({ "10⁰", "10¹", "10²", "10³", "10⁴", "10⁵", "10⁶" }, labels)
    for _, t in ipairs(svg.log_axis(1, 1e6, 167).ticks) do if t.label then every2[#every2 + 1] = t.label end end
    assert.are.same({ "10⁰", "10²", "10⁴", "10⁶" }, every2)
    assert.are.same({ 1, 1e6 }, { all.lo, all.hi })
  end)

  it("draws minor ticks up to 6 decades and none for 7", function()
    assert.are.equal(7 + 6 * 8, #svg.log_axis(1, 1e6, 400).ticks)
    assert.are.equal("1=10⁰ 10=10¹ 100=10² 1000=10³ 10000=10⁴ 100000=10⁵ 1e+06=10⁶ 1e+07=10⁷",
      ticks(svg.log_axis(1, 1e7, 400)))
  end)

  it("labels the 2 and 5 ticks of 2 decades only from 93.01 px a decade", function()
    assert.are.equal("1=10⁰ " .. minors(2, 9, 1) .. " 10=10¹ " .. minors(20, 90, 10) .. " 100=10²",
      ticks(svg.log_axis(1, 100, 186)))
    assert.are.equal("1=1 2m=2 3m 4m 5m=5 6m 7m 8m 9m 10=10 20m=20 30m 40m 50m=50 60m 70m 80m 90m 100=100",
      ticks(svg.log_axis(1, 100, 187)))
    -- 4 labelled powers are enough, however long the decades
    assert.are.equal("1=10⁰ " .. minors(2, 9, 1) .. " 10=10¹ " .. minors(20, 90, 10) .. " 100=10² " ..
      minors(200, 900, 100) .. " 1000=10³", ticks(svg.log_axis(1, 1000, 2800)))
  end)

  it("writes 10^-3 .. 10^4 as plain numbers and beyond as m×10^e", function()
    assert.are.equal("10000=10000 20000m=20000 30000m 40000m 50000m=50000 60000m 70000m 80000m 90000m " ..
      "100000=10⁵ 200000m=2×10⁵ 300000m 400000m 500000m=5×10⁵ 600000m 700000m 800000m 900000m 1e+06=10⁶",
      ticks(svg.log_axis(1e4, 1e6, 400)))
    assert.are.equal("1e-05=10⁻⁵ 2e-05m=2×10⁻⁵ 3e-05m 4e-05m 5e-05m=5×10⁻⁵ 6e-05m 7e-05m 8e-05m 9e-05m " ..
      "0.0001=10⁻⁴ 0.0002m=2×10⁻⁴ 0.0003m 0.0004m 0.0005m=5×10⁻⁴ 0.0006m 0.0007m 0.0008m 0.0009m 0.001=0.001",
      ticks(svg.log_axis(1e-5, 1e-3, 400)))
  end)

  it("widens a range to whole decades unless its ends are fixed, and labels a narrow fixed range", function()
    local a = svg.log_axis(0.5, 50, 300)
    assert.are.same({ 0.1, 100 }, { a.lo, a.hi })
    local b = svg.log_axis(2, 3, 200, 2, 3)
    assert.are.same({ 2, 3 }, { b.lo, b.hi })
    assert.are.equal("2m=2 3m", ticks(b))
    assert.are.same({ 10, 100 }, { svg.log_axis(10, 10, 300).lo, svg.log_axis(10, 10, 300).hi })
  end)
end)
