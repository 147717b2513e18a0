-- Specs for lunet.plot.  Run from the repository root:
--   LUA_PATH='lua/?.lua;lua/?/init.lua;;' busted --lua=lua5.4 spec/plot_spec.lua
-- Golden files live in spec/fixtures/plot/; after an intended change of
-- output, regenerate them with LUNET_UPDATE_GOLDEN=1 and inspect the diff.

local HERE = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
-- The module under test is this checkout's, wherever busted runs from.
package.path = HERE .. "../lua/?.lua;" .. HERE .. "../lua/?/init.lua;" .. package.path

local plot = require "lunet.plot"
local FIXTURES = HERE .. "fixtures/plot/"
local NaN = 0 / 0

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function golden(name, actual)
  local path = FIXTURES .. name
  if os.getenv("LUNET_UPDATE_GOLDEN") then
    local f = assert(io.open(path, "wb"))
    f:write(actual)
    f:close()
  end
  assert.are.equal(read(path), actual)
end

local function count(s, pattern)
  local n = 0
  for _ in s:gmatch(pattern) do n = n + 1 end
  return n
end

local function texts(s, class)
  local out = {}
  for label in s:gmatch('<text[^>]- class="' .. class .. '"[^>]*>([^<]*)</text>') do out[#out + 1] = label end
  return out
end

-- Stands in for a lunet tensor: only :totable() is used.
local function tensor(t)
  return setmetatable({}, { __index = { totable = function() return t end } })
end

-- Runs f from a Lua function so error positions can be checked.
local function error_of(f, ...)
  local args = table.pack(...)
  -- not a tail call: that would drop the frame the error should point at
  local ok, err = pcall(function() f(table.unpack(args, 1, args.n)) end)
  assert.is_false(ok)
  return err
end

local function tmpdir()
  local base = os.tmpname()
  os.remove(base)
  assert(os.execute("mkdir -p '" .. base .. "'"))
  return base
end

local function ramp(n, f)
  local t = {}
  for i = 1, n do t[i] = f(i) end
  return t
end

local LOG_CHART = { title = "loss", xlabel = "epoch", ylabel = "cost", logy = true, width = 320, height = 200,
  series = { { name = "train", y = { 0.3, 0.1, 0.03, 0.01 } }, { name = "test", y = { 0.2, NaN, 0.05, 0.04 } } } }

local BAR_CHART = { title = "accuracy", ylabel = "%", width = 320, height = 200, labels = { "a", "b", "c" },
  series = { { name = "sigmoid", values = { 90, 95.5, 97 } }, { name = "relu", values = { 92, 96, 98.25 } } } }

local IMAGE_GRID = { title = "2x2", cols = 2, scale = 8, labels = { "0", "1", "2", "3" }, images = {
  { { 0, 1, 0 }, { 1, 1, 1 }, { 0, 1, 0 } },
  { { 1, 0, 1 }, { 0, 1, 0 }, { 1, 0, 1 } },
  { { 0, 0.5, 1 }, { 0, 0.5, 1 }, { 0, 0.5, 1 } },
  { { 1, 1, 1 }, { 1, 0, 1 }, { 1, 1, 1 } } } }

describe("lunet.plot", function()
  it("is a module table and defines no globals", function()
    local before = {}
    for k in pairs(_G) do before[k] = true end
    package.loaded["lunet.plot"], package.loaded["lunet.plot.svg"], package.loaded["lunet.plot.term"] = nil, nil, nil
    local fresh = require "lunet.plot"
    assert.is_table(fresh)
    for _, name in ipairs { "line", "bar", "images", "heatmap", "grid", "monitor", "save", "show", "text" } do
      assert.is_function(fresh[name], name)
    end
    for k in pairs(_G) do assert.is_true(before[k], "new global " .. tostring(k)) end
  end)

  describe("golden files", function()
    it("line chart with a log axis and a gap", function()
      golden("line_log.svg", plot.line(LOG_CHART))
    end)

    it("grouped bar chart", function()
      golden("bar.svg", plot.bar(BAR_CHART))
    end)

    it("2x2 image grid", function()
      golden("images_2x2.svg", plot.images(IMAGE_GRID))
    end)
  end)

  describe("line", function()
    local two = { series = { { name = "784-30-10", y = { 0.1, 0.5, 0.9 } },
      { name = "784-100-10", y = { 1, 0, 0.5 } } } }

    it("returns a complete SVG document", function()
      local s = plot.line(two)
      assert.truthy(s:match('^<svg xmlns="http://www.w3.org/2000/svg" width="720" height="450"'))
      assert.truthy(s:match("</svg>\n$"))
    end)

    it("is deterministic", function()
      assert.are.equal(plot.line(two), plot.line(two))
      assert.are.equal(plot.line(LOG_CHART), plot.line(LOG_CHART))
    end)

    it("draws one path per series and names them in the legend", function()
      local s = plot.line(two)
      assert.are.equal(2, count(s, '<path class="series"'))
      assert.are.same({ "784-30-10", "784-100-10" }, texts(s, "legend"))
    end)

    it("draws background lines under the series, outside the legend, inside the axis range", function()
      local s = plot.line { series = two.series, background = { { x = { -5, 5 }, y = { 0, 40 } }, { y = { 1, 2 } } } }
      assert.are.equal(2, count(s, '<path class="background"'))
      assert.are.equal(2, count(s, '<path class="series"'))
      assert.are.same({ "784-30-10", "784-100-10" }, texts(s, "legend"))
      assert.truthy(s:find('class="background"', 1, true) < s:find('class="series"', 1, true))
      assert.truthy(s:find(">40<", 1, true))         -- the y axis reaches the background's 40
      assert.has_error(function() plot.line { series = two.series, background = { { y = { 1 }, colour = 1 } } } end)
    end)

    it("gives distinct colours to the series", function()
      local s = plot.line(two)
      local colours = {}
      for c in s:gmatch('<path class="series"[^>]- stroke="(#%x+)"') do colours[#colours + 1] = c end
      assert.are.equal(2, #colours)
      assert.are_not.equal(colours[1], colours[2])
    end)

    it("has no legend for a single unnamed series", function()
      local s = plot.line { series = { { y = { 1, 2 } } } }
      assert.are.same({}, texts(s, "legend"))
    end)

    it("puts linear ticks on 1-2-5 steps: 0..1 gives 0, 0.2, ..., 1", function()
      local s = plot.line { series = { { y = { 0, 0.37, 1 } } } }
      assert.are.same({ "0.0", "0.2", "0.4", "0.6", "0.8", "1.0" }, texts(s, "ytick"))
    end)

    it("rounds the y range outwards to ticks", function()
      local s = plot.line { series = { { y = { 3, 47 } } }, height = 300 }
      assert.are.same({ "0", "10", "20", "30", "40", "50" }, texts(s, "ytick"))
    end)

    it("puts log ticks at powers of ten: 0.001..0.3 gives 10^-3..10^0", function()
      local s = plot.line { logy = true, series = { { y = { 0.001, 0.01, 0.3 } } } }
      assert.are.same({ "10⁻³", "10⁻²", "10⁻¹", "10⁰" }, texts(s, "ytick"))
    end)

    it("draws minor log ticks at 2..9 times each power", function()
      local s = plot.line { logy = true, series = { { y = { 1, 100 } } } }
      -- two decades with 8 minor gridlines each
      assert.are.equal(16, count(s, 'stroke="#f3f3f3"'))
    end)

    it("keeps ticks whole for whole x values", function()
      local s = plot.line { series = { { y = { 1, 2, 3 } } } }
      assert.are.same({ "1", "2", "3" }, texts(s, "xtick"))
    end)

    it("uses given x values", function()
      local s = plot.line { series = { { x = { 0, 50, 100 }, y = { 1, 2, 3 } } } }
      assert.are.same({ "0", "10", "20", "30", "40", "50", "60", "70", "80", "90", "100" }, texts(s, "xtick"))
    end)

    it("respects ymin and ymax", function()
      local s = plot.line { ymin = 0, ymax = 100, series = { { y = { 10, 20 } } } }
      local ticks = texts(s, "ytick")
      assert.are.equal("0", ticks[1])
      assert.are.equal("100", ticks[#ticks])
    end)

    it("keeps a usable axis when a fixed end lies beyond all data", function()
      assert.are.same({ "5.0", "5.2", "5.4", "5.6", "5.8", "6.0" },
        texts(plot.line { ymin = 5, series = { { y = { 1, 2 } } } }, "ytick"))
      assert.are.same({ "-1.0", "-0.8", "-0.6", "-0.4", "-0.2", "0.0" },
        texts(plot.line { ymax = 0, series = { { y = { 1, 2 } } } }, "ytick"))
      assert.truthy(plot.text { ymin = 5, series = { { y = { 1, 2 } } }, height = 3 }:match("^6%.0 ┤\n"))
    end)

    it("breaks the line at NaN and nil, and dots a lone point", function()
      local s = plot.line { series = { { y = { 1, 2, NaN, 3, nil, 4, 5, n = 7 } } } }
      local d = s:match('<path class="series" d="([^"]*)"')
      assert.are.equal(3, count(d, "M"))
      assert.are.equal(2, count(d, "L"))
      assert.are.equal(1, count(s, "<circle "))
    end)

    it("skips non-positive values on a log scale", function()
      local s = plot.line { logy = true, series = { { y = { 1, 0, -1, 10, 100 } } } }
      local d = s:match('<path class="series" d="([^"]*)"')
      assert.are.equal(2, count(d, "M"))
      -- two decades: the 2 and 5 ticks are labelled too
      assert.are.same({ "1", "2", "5", "10", "20", "50", "100" }, texts(s, "ytick"))
    end)

    it("draws markers on request", function()
      local s = plot.line { markers = true, series = { { y = { 1, 2, NaN, 4 } } } }
      assert.are.equal(3, count(s, "<circle "))
    end)

    it("escapes XML special characters", function()
      local s = plot.line { title = [[<b>"Tom" & 'Jerry'</b>]], xlabel = "a<b", ylabel = "c>d",
        series = { { name = "x&y", y = { 1, 2 } } } }
      assert.truthy(s:find("&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;", 1, true))
      assert.truthy(s:find(">a&lt;b<", 1, true))
      assert.truthy(s:find(">c&gt;d<", 1, true))
      assert.truthy(s:find(">x&amp;y<", 1, true))
      assert.falsy(s:find("<b>", 1, true))
    end)

    it("accepts tensor-like objects for series, x and y", function()
      local plain = plot.line { series = { { name = "a", x = { 1, 2, 3 }, y = { 3, 1, 2 } } } }
      local fake = plot.line { series = tensor { { name = "a", x = tensor { 1, 2, 3 }, y = tensor { 3, 1, 2 } } } }
      assert.are.equal(plain, fake)
    end)

    it("writes the file when asked", function()
      local dir = tmpdir()
      local s = plot.line { file = dir .. "/c.svg", series = { { y = { 1, 2 } } } }
      assert.are.equal(s, read(dir .. "/c.svg"))
      os.remove(dir .. "/c.svg")
      os.remove(dir)
    end)
  end)

  describe("line errors", function()
    local function err(opts) return error_of(plot.line, opts) end

    it("points at the caller", function()
      assert.truthy(err({}):match("plot_spec%.lua:%d+: lunet%.plot%.line: "))
    end)

    it("rejects a missing options table", function()
      assert.truthy(error_of(plot.line):find("expected a table of options, got nil", 1, true))
    end)

    it("rejects unknown options", function()
      assert.truthy(err({ series = { { y = { 1 } } }, logY = true, colour = 1 })
        :find("unknown options colour, logY", 1, true))
    end)

    it("rejects missing or empty series", function()
      assert.truthy(err({}):find("series must be a non-empty array", 1, true))
      assert.truthy(err({ series = {} }):find("series must be a non-empty array", 1, true))
    end)

    it("names the series without y values", function()
      assert.truthy(err({ series = { { y = { 1 } }, { name = "b" } } }):find("series 2 has no y values", 1, true))
      assert.truthy(err({ series = { { y = {} } } }):find("series 1 has no y values", 1, true))
    end)

    it("rejects non-numeric values", function()
      assert.truthy(err({ series = { { y = { 1, "2" } } } })
        :find("series 1: y[2] is a string, expected a number", 1, true))
    end)

    it("rejects mismatched x and y lengths", function()
      assert.truthy(err({ series = { { x = { 1, 2 }, y = { 1, 2, 3 } } } })
        :find("series 1: x has 2 values but y has 3", 1, true))
    end)

    it("rejects non-finite x values", function()
      assert.truthy(err({ series = { { x = { 1, NaN }, y = { 1, 2 } } } })
        :find("series 1: x values must all be finite numbers", 1, true))
    end)

    it("rejects a chart with nothing to draw", function()
      assert.truthy(err({ series = { { y = { NaN, NaN } } } }):find("every y value is a gap", 1, true))
      assert.truthy(err({ logy = true, series = { { y = { 0, -1 } } } })
        :find("no positive y values for the log scale", 1, true))
    end)

    it("checks ymin, ymax and sizes", function()
      assert.truthy(err({ ymin = 2, ymax = 1, series = { { y = { 1 } } } }):find("must be below ymax", 1, true))
      assert.truthy(err({ logy = true, ymin = 0, series = { { y = { 1 } } } })
        :find("ymin must be positive with logy", 1, true))
      assert.truthy(err({ width = 10, series = { { y = { 1 } } } }):find("at least 200 x 150", 1, true))
      assert.truthy(err({ logy = "yes", series = { { y = { 1 } } } }):find("logy must be true or false", 1, true))
    end)

    it("errors clearly when the file's directory is missing", function()
      assert.truthy(err({ file = "/nonexistent-dir/x.svg", series = { { y = { 1 } } } })
        :find("cannot write /nonexistent-dir/x.svg (does its directory exist?): ", 1, true))
    end)
  end)

  describe("bar", function()
    it("draws one rect per value and a legend for groups", function()
      local s = plot.bar(BAR_CHART)
      assert.are.equal(6, count(s, '<rect class="bar"'))
      assert.are.same({ "sigmoid", "relu" }, texts(s, "legend"))
      assert.are.same({ "a", "b", "c" }, texts(s, "xtick"))
    end)

    it("takes plain values, numbering unlabelled bars", function()
      local s = plot.bar { values = { 3, NaN, 1 } }
      assert.are.equal(2, count(s, '<rect class="bar"'))
      assert.are.same({ "1", "2", "3" }, texts(s, "xtick"))
      assert.are.same({}, texts(s, "legend"))
    end)

    it("includes zero in a linear axis and skips non-positive values on a log one", function()
      assert.are.equal("0", texts(plot.bar { values = { 5, 7 } }, "ytick")[1])
      local s = plot.bar { logy = true, values = { 1, 0, 1000 } }
      assert.are.equal(2, count(s, '<rect class="bar"'))
      assert.are.same({ "10⁰", "10¹", "10²", "10³" }, texts(s, "ytick"))
    end)

    it("accepts tensors", function()
      assert.are.equal(plot.bar { values = { 1, 2 } }, plot.bar { values = tensor { 1, 2 } })
    end)

    it("is deterministic", function()
      assert.are.equal(plot.bar(BAR_CHART), plot.bar(BAR_CHART))
    end)

    it("validates its input", function()
      assert.truthy(error_of(plot.bar, {}):find("lunet.plot.bar: give either values or series", 1, true))
      assert.truthy(error_of(plot.bar, { values = { 1 }, series = {} }):find("give either values or series", 1, true))
      assert.truthy(error_of(plot.bar, { labels = { "a" }, values = { 1, 2 } })
        :find("values has 2 entries but labels has 1", 1, true))
      assert.truthy(error_of(plot.bar, { values = { 1, {} } }):find("values[2] is a table", 1, true))
      assert.truthy(error_of(plot.bar, { values = {} }):find("values is empty", 1, true))
      assert.truthy(error_of(plot.bar, { series = { { name = "x" } } }):find("series 1: values missing", 1, true))
    end)
  end)

  describe("images", function()
    it("is deterministic", function()
      assert.are.equal(plot.images(IMAGE_GRID), plot.images(IMAGE_GRID))
    end)

    it("maps min to white (skipped) and max to black, merging equal runs", function()
      local s = plot.images { images = { { { 0, 1, 1 }, { 2, 0, 0 } } }, scale = 1 }
      assert.truthy(s:find('<rect x="1" y="0" width="2" height="1" fill="#808080"/>', 1, true))
      assert.truthy(s:find('<rect x="0" y="1" width="1" height="1" fill="#000000"/>', 1, true))
      assert.are.equal(2, count(s, 'height="1" fill="#'))
    end)

    it("normalises each image, all together, or not at all", function()
      local imgs = { { { 0, 1 } }, { { 0, 2 } } }
      local each = plot.images { images = imgs, scale = 1 }
      assert.are.equal(2, count(each, 'fill="#000000"'))
      local all = plot.images { images = imgs, scale = 1, normalize = "all" }
      assert.are.equal(1, count(all, 'fill="#000000"'))
      assert.are.equal(1, count(all, 'fill="#808080"'))
      local none = plot.images { images = { { { 0.5, 3 } } }, scale = 1, normalize = false }
      assert.truthy(none:find('fill="#808080"', 1, true))
      assert.truthy(none:find('fill="#000000"', 1, true))
    end)

    it("uses a diverging map symmetric around zero", function()
      local s = plot.images { images = { { { -2, 0, 1 } } }, cmap = "diverging", scale = 1 }
      assert.truthy(s:find('<rect x="0" y="0" width="1" height="1" fill="#2166ac"/>', 1, true))
      -- zero is white and so not drawn; +1 is half way to full red
      assert.truthy(s:find('<rect x="2" y="0" width="1" height="1" fill="#d88b94"/>', 1, true))
      assert.are.equal(2, count(s, 'height="1" fill="#'))
    end)

    it("reshapes flat rows, e.g. the rows of a weight tensor", function()
      local w = tensor { ramp(4, function(i) return i end), ramp(4, function(i) return -i end) }
      local s = plot.images { images = w, scale = 1 }
      assert.are.equal(2, count(s, 'shape%-rendering="crispEdges"'))
      local flat = plot.images { images = { ramp(6, function(i) return i end) }, shape = { 2, 3 }, scale = 1 }
      assert.truthy(flat:find('width="4" height="3" fill="none"', 1, true))
    end)

    it("picks about 112 px per image and a square-ish grid", function()
      local img = ramp(28, function() return ramp(28, function(c) return c end) end)
      local s = plot.images { images = { img, img, img, img, img } }
      -- 28 x 28 pixels at 4 px each (as one PNG per image: smaller than rects here)
      assert.are.equal(5, count(s, '<image x="[%d.]+" y="[%d.]+" width="112" height="112"'))
      assert.truthy(s:match('^<svg[^>]- width="376"'))
    end)

    it("captions images and escapes captions", function()
      local s = plot.images { images = { { { 0, 1 } }, { { 1, 0 } } }, labels = { "7", "<1>" } }
      assert.are.same({ "7", "&lt;1&gt;" }, texts(s, "caption"))
    end)

    it("validates its input", function()
      local e = function(o) return error_of(plot.images, o) end
      assert.truthy(e({}):find("lunet.plot.images: images must be a non-empty array", 1, true))
      assert.truthy(e({ images = { { 1, 2, 3 } } })
        :find("image 1 is 1-D with 3 values, which is not a square; pass shape", 1, true))
      assert.truthy(e({ images = { { { 1, 2 }, { 3 } } } }):find("image 1: row 2 has 1 values, expected 2", 1, true))
      assert.truthy(e({ images = { { { 1, "x" } } } }):find("image 1: value at row 1, column 2 is a string", 1, true))
      assert.truthy(e({ images = { { { 1 } } }, normalize = "some" }):find('normalize must be one of "each", "all"', 1,
        true))
      assert.truthy(e({ images = { { { 1 } } }, cmap = "jet" }):find('cmap must be one of "gray"', 1, true))
      assert.truthy(e({ images = { { { 1 } } }, labels = { "a", "b" } }):find("labels has 2 entries but there are 1", 1,
        true))
    end)
  end)

  describe("heatmap", function()
    local data = { { 1, 2, 3 }, { 4, 5, 6 } }

    it("labels the colour bar with min and max", function()
      local s = plot.heatmap { data = data, title = "h" }
      assert.are.same({ "1", "6" }, texts(s, "cbar"))
      assert.are.same({ "1", "2", "3" }, texts(s, "xtick"))
      assert.are.same({ "1", "2" }, texts(s, "ytick"))
    end)

    it("centres a diverging colour bar on zero", function()
      local s = plot.heatmap { data = { { -1, 0.5 } }, cmap = "diverging" }
      assert.are.same({ "-1", "0", "1" }, texts(s, "cbar"))
    end)

    it("uses given row and column labels", function()
      local s = plot.heatmap { data = data, collabels = { "a", "b", "c" }, rowlabels = { "x", "y" } }
      assert.are.same({ "a", "b", "c" }, texts(s, "xtick"))
      assert.are.same({ "x", "y" }, texts(s, "ytick"))
    end)

    it("accepts tensors and is deterministic", function()
      assert.are.equal(plot.heatmap { data = data }, plot.heatmap { data = tensor(data) })
    end)

    it("validates its input", function()
      assert.truthy(error_of(plot.heatmap, { data = { 1, 2, 3, 4 } })
        :find("lunet.plot.heatmap: data must be a 2-D array", 1, true))
      assert.truthy(error_of(plot.heatmap, { data = data, rowlabels = { "x" } })
        :find("rowlabels has 1 entries but there are 2", 1, true))
    end)
  end)

  describe("grid", function()
    local a = plot.line { width = 300, height = 200, series = { { y = { 1, 2 } } } }
    local b = plot.bar { width = 200, height = 250, values = { 1, 2 } }

    it("nests the charts side by side", function()
      local s = plot.grid { cols = 2, charts = { a, b }, title = "both" }
      assert.truthy(s:match('^<svg[^>]- width="608" height="290"'))
      assert.truthy(s:find('<svg x="0" y="40" xmlns=', 1, true))
      assert.truthy(s:find('<svg x="308" y="40" xmlns=', 1, true))
      assert.are.equal(1, count(s, '<path class="series"'))
      assert.are.equal(2, count(s, '<rect class="bar"'))
    end)

    it("wraps into rows", function()
      local s = plot.grid { cols = 1, charts = { a, b } }
      assert.truthy(s:find('<svg x="0" y="258" xmlns=', 1, true))
    end)

    it("validates its input", function()
      assert.truthy(error_of(plot.grid, { charts = {} }):find("charts must be a non-empty array", 1, true))
      assert.truthy(error_of(plot.grid, { charts = { a, "<p/>" } })
        :find("chart 2 is not an SVG document with width and height", 1, true))
    end)
  end)

  describe("monitor", function()
    local history = {
      training_cost = { 0.5, 0.3, 0.2 }, evaluation_cost = { 0.6, 0.4, 0.35 },
      training_accuracy = { 0.9, 0.95, 0.97 }, evaluation_accuracy = tensor { 0.88, 0.93, 0.94 },
      gradient_norms = { bias = { { 0.01, 0.005, 0.002 }, tensor { 0.1, 0.05, 0.02 } } },
    }

    it("makes cost, accuracy (in percent) and speed-of-learning panels", function()
      local s = plot.monitor(history, { title = "run" })
      assert.are.equal(3, count(s, '<svg x="[%d.]+" y="[%d.]+" xmlns='))
      assert.are.equal(6, count(s, '<path class="series"'))
      assert.are.same({ "training", "evaluation", "training", "evaluation", "layer 1", "layer 2" },
        texts(s, "legend"))
      assert.truthy(s:find(">Speed of learning<", 1, true))
      assert.truthy(s:find('class="ytick">100</text>', 1, true))
      assert.truthy(s:find('class="ytick">0.001</text>', 1, true))
    end)

    it("leaves out what the history lacks or left empty", function()
      local s = plot.monitor { evaluation_accuracy = { 0.5, 0.6 }, training_cost = {},
        gradient_norms = { bias = { {}, {} } } }
      assert.are.equal(1, count(s, '<svg x="[%d.]+" y="[%d.]+" xmlns='))
      assert.are.same({ "evaluation" }, texts(s, "legend"))
    end)

    it("keeps layer numbers when some layers were not recorded", function()
      local s = plot.monitor { gradient_norms = { bias = { {}, { 1, 0.5 }, { 2, 1 } } } }
      assert.are.same({ "layer 2", "layer 3" }, texts(s, "legend"))
    end)

    it("is deterministic", function()
      assert.are.equal(plot.monitor(history), plot.monitor(history))
    end)

    it("validates its input", function()
      assert.truthy(error_of(plot.monitor, {}):find("lunet.plot.monitor: history has none of", 1, true))
      assert.truthy(error_of(plot.monitor, 5):find("history must be a table", 1, true))
      assert.truthy(error_of(plot.monitor, { training_cost = { "a" } })
        :find("history.training_cost[1] is a string", 1, true))
      assert.truthy(error_of(plot.monitor, { training_cost = { 1 } }, { width = 3 })
        :find("unknown option width", 1, true))
    end)
  end)

  describe("save", function()
    it("writes atomically, replacing the old file and leaving no temporary", function()
      local dir = tmpdir()
      local path = dir .. "/chart.svg"
      assert.are.equal(path, plot.save("<svg>old</svg>", path))
      assert.are.equal(path, plot.save("<svg>new</svg>", path))
      assert.are.equal("<svg>new</svg>", read(path))
      assert.is_nil(io.open(path .. ".tmp", "rb"))
      os.remove(path)
      os.remove(dir)
    end)

    it("goes through the temporary: the old file survives a failed save", function()
      local dir = tmpdir()
      local path = dir .. "/chart.svg"
      plot.save("<svg>old</svg>", path)
      assert(os.execute("mkdir '" .. path .. ".tmp'")) -- blocks the temporary file
      local err = error_of(plot.save, "<svg>new</svg>", path)
      assert.truthy(err:find("chart.svg.tmp", 1, true))
      assert.are.equal("<svg>old</svg>", read(path))
      os.remove(path .. ".tmp")
      os.remove(path)
      os.remove(dir)
    end)

    it("reports the OS error when the directory is missing", function()
      local err = error_of(plot.save, "<svg/>", "/nonexistent-dir/chart.svg")
      assert.truthy(err:match("plot_spec%.lua:%d+: lunet%.plot%.save: cannot write /nonexistent%-dir/chart%.svg"))
      assert.truthy(err:find("No such file or directory", 1, true))
    end)

    it("checks its arguments", function()
      assert.truthy(error_of(plot.save, nil, "x.svg"):find("svg must be a string", 1, true))
      assert.truthy(error_of(plot.save, "<svg/>", nil):find("path must be a non-empty string", 1, true))
    end)
  end)

  describe("text", function()
    it("draws a small line chart exactly", function()
      local expected = table.concat({
        "diag",
        "3.0 ┤  ⡠*",
        "0.0 ┤⡠⠊",
        "    └────",
        "     1  4",
        "     * a",
        "" }, "\n")
      assert.are.equal(expected,
        plot.text { title = "diag", width = 4, height = 2, series = { { name = "a", y = { 0, 1, 2, 3 } } } })
    end)

    it("uses only braille and series symbols inside the plot area", function()
      local s = plot.text { series = { { name = "sin", y = ramp(50, function(i) return math.sin(i / 5) end) },
        { name = "cos", y = ramp(50, function(i) return math.cos(i / 5) end) } } }
      local rows = 0
      for line in s:gmatch("[^\n]+") do
        -- (not a [┤│] class: Lua patterns work on bytes, not UTF-8)
        local area = line:match("┤(.*)$") or line:match("│(.*)$")
        if area then
          rows = rows + 1
          for _, c in utf8.codes(area) do
            assert.is_true((c >= 0x2800 and c <= 0x28FF) or c == 32 or c == 42 or c == 111, ("U+%04X"):format(c))
          end
        end
      end
      assert.are.equal(15, rows)
      assert.truthy(s:find("* sin   o cos", 1, true))
      assert.falsy(s:find("\27", 1, true))
    end)

    it("labels top, middle and bottom rows and the x range", function()
      local s = plot.text { series = { { x = { 10, 20 }, y = { 0, 1 } } }, height = 5 }
      local lines = {}
      for line in s:gmatch("[^\n]*\n") do lines[#lines + 1] = line end
      assert.truthy(lines[1]:match("^1%.0 ┤"))
      assert.truthy(lines[3]:match("^0%.5 ┤"))
      assert.truthy(lines[5]:match("^0%.0 ┤"))
      assert.truthy(lines[7]:match("^     10 +20\n$"))
    end)

    it("breaks lines at gaps", function()
      local whole = plot.text { width = 10, height = 3, series = { { y = { 1, 1, 1, 1, 1 } } } }
      local gappy = plot.text { width = 10, height = 3, series = { { y = { 1, 1, NaN, 1, 1 } } } }
      assert.are_not.equal(whole, gappy)
      assert.truthy(gappy:find("1.0 ┤⠤⠤⠤    ⠤⠤⠤\n", 1, true))
    end)

    it("adds ANSI colours only when asked", function()
      local opts = { series = { { name = "a", y = { 1, 2 } } }, color = true }
      assert.truthy(plot.text(opts):find("\27[34m", 1, true))
    end)

    it("renders images with shade characters, two pixel rows per line", function()
      local s = plot.text { images = { { { 0, 0 }, { 0, 1 }, { 1, 1 }, { 1, 1 } }, { { -1, 1 }, { 0, 0 } } },
        labels = { "a", "b" } }
      assert.are.equal(" ▒  ░▓\n██\na   b\n", s)
    end)

    it("marks the sign of diverging images", function()
      assert.are.equal("#█\n", plot.text { images = { { { -1, 1 } } }, cmap = "diverging" })
    end)

    it("renders heatmaps, shrinking big ones to fit", function()
      local s = plot.text { data = { { 0, 1 }, { 1, 0 } }, title = "h" }
      assert.are.equal("h\n▒▒\nblank = 0, █ = 1\n", s)
      local big = ramp(40, function(r) return ramp(100, function(c) return r * c end) end)
      local t = plot.text { data = big, width = 50, height = 10 }
      assert.truthy(t:find("(40 x 100 shown as 20 x 50)", 1, true))
    end)

    it("uses half blocks and 24-bit colour for images when asked", function()
      local s = plot.text { images = { { { 0 }, { 1 } } }, color = true }
      assert.are.equal("\27[38;2;255;255;255m\27[48;2;0;0;0m▀\27[0m\n", s)
    end)

    it("validates like the chart functions", function()
      assert.truthy(error_of(plot.text, { series = { {} } }):find("lunet.plot.text: series 1 has no y values", 1, true))
      assert.truthy(error_of(plot.text, { series = { { y = { 1 } } }, colour = true })
        :find("unknown option colour", 1, true))
    end)

    it("accepts the same table as plot.line, ignoring SVG-only options", function()
      local opts = { series = { { y = { 1, 2 } } }, file = "/nonexistent-dir/x.svg", markers = true,
        width = 8, height = 3 }
      assert.are.equal(plot.text { series = { { y = { 1, 2 } } }, width = 8, height = 3 }, plot.text(opts))
    end)
  end)

  describe("show", function()
    it("writes the text rendering and returns nothing", function()
      local written = {}
      local original = io.write
      io.write = function(...) -- luacheck: ignore 122
        for _, s in ipairs { ... } do written[#written + 1] = s end
      end
      local ok, res = pcall(plot.show, { series = { { y = { 1, 2 } } }, width = 8, height = 3 })
      io.write = original -- luacheck: ignore 122
      assert.is_true(ok, res)
      assert.is_nil(res)
      assert.are.equal(plot.text { series = { { y = { 1, 2 } } }, width = 8, height = 3 }, table.concat(written))
    end)
  end)
end)
