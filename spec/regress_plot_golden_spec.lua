-- Golden files for the charts plot_spec's three do not reach: linear and
-- many-decade log axes, fixed ends, gaps, colour cycling, a legend pushed
-- out of the data's corner, turned bar labels, log bars, heatmaps with
-- labels and each colour map, flat images with a shape and every
-- normalisation, grids, the training monitor and the text renderings.
-- Any change of layout, tick choice, colour or placement shows here as a
-- diff. After an intended change of output, regenerate with
--   LUNET_UPDATE_GOLDEN=1 sh tools/run_specs.sh lua5.4 busted spec/regress_plot_golden_spec.lua
-- and inspect the diff of spec/fixtures/plot/golden_*.
local HERE = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = HERE .. "../lua/?.lua;" .. HERE .. "../lua/?/init.lua;" .. package.path

local plot = require "lunet.plot"
local FIXTURES = HERE .. "fixtures/plot/"
local NaN = 0 / 0

local function golden(name, actual)
  local path = FIXTURES .. "golden_" .. name
  if os.getenv("LUNET_UPDATE_GOLDEN") then
    local f = assert(io.open(path, "wb"))
    f:write(actual)
    f:close()
  end
  local f = assert(io.open(path, "rb"))
  local want = f:read("a")
  f:close()
  if want ~= actual then
    -- the first differing line, so a failure says where
    local n = 1
    local wl, al = want:gmatch("[^\n]*"), actual:gmatch("[^\n]*")
    repeat
      local a, b = wl(), al()
      if a ~= b then
        error(("%s differs at line %d:\n  want %s\n  got  %s"):format(name, n, tostring(a), tostring(b)))
      end
      n = n + 1
    until a == nil
  end
end

local function ramp(n, f)
  local t = {}
  for i = 1, n do t[i] = f(i) end
  return t
end

-- Three series, x given, a gap, negative values; the data fills the top
-- right, so the legend must go elsewhere.
local LINE = { title = "linear axes", xlabel = "step", ylabel = "value", width = 420, height = 260, markers = true,
  series = {
    { name = "rising", x = ramp(12, function(i) return i * 0.5 end),
      y = ramp(12, function(i) return i * i / 10 - 3 end) },
    { name = "wave", x = ramp(12, function(i) return i * 0.5 end), y = ramp(12, function(i)
      return i == 6 and NaN or 4 * math.sin(i / 2) + 8 end) },
    { name = "flat", y = { 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11 } },
  } }

-- Fixed ends that cut the data, a lone point, a constant series.
local FIXED = { title = "fixed ends", width = 360, height = 220, ymin = -1, ymax = 2.5,
  series = { { name = "cut", y = { -3, -0.5, 0.5, 1.5, 4, 2 } }, { name = "one", x = { 3 }, y = { 0.25 } },
    { name = "const", y = { 1, 1, 1, 1, 1, 1 } } } }

-- Fourteen decades on a short axis: labels every few decades only.
local DECADES = { title = "decades", logy = true, width = 300, height = 180,
  series = { { name = "loss", y = ramp(15, function(i) return 10 ^ (5 - i) * (1 + i % 3) end) } } }

-- More series than colours and symbols, with long names.
local MANY = { title = "many", width = 480, height = 300, series = ramp(9, function(k)
  return { name = ("series number %d of nine"):format(k), y = ramp(6, function(i) return k + i * (k % 3 - 1) end) }
end) }

local BAR = { title = "turned labels", ylabel = "score", width = 360, height = 240,
  labels = { "a short one", "a label far longer than twenty-four characters", "x", "negative", "mid" },
  values = { 3, 7.5, 0.25, -2, 4 } }

local BAR_LOG = { title = "log bars", logy = true, width = 320, height = 200, labels = { "p", "q", "r" },
  series = { { name = "small", values = { 0.001, 0.05, 2 } }, { name = "big", values = { 10, 300, 7 } } } }

local HEAT = { title = "confusion", xlabel = "predicted", ylabel = "true", cmap = "diverging", width = 360,
  height = 300, collabels = { "c0", "c1", "c2", "c3" }, rowlabels = { "r0", "r1", "r2" },
  data = { { 5, -1, 0, 2 }, { -3, NaN, 1.5, 0 }, { 0.5, 2, -0.25, 4 } } }

local HEAT_PLAIN = { data = ramp(6, function(r) return ramp(8, function(c) return (r * 3 + c * c) % 7 end) end) }

local FLAT = { title = "flat", shape = { 2, 3 }, normalize = "all", cmap = "viridis", labels = { "lo", "hi" },
  images = { { 0, 1, 2, 3, 4, 5 }, { 5, 6, 7, 8, 9, 10 } } }

local RAW = { normalize = false, cmap = "diverging", cols = 3, scale = 5,
  images = { { { -1, 0 }, { 0.5, 1 } }, { { 0.25, -0.75 }, { 1, -1 } }, { { 0, 0 }, { 0, 0 } } } }

local HISTORY = {
  training_cost = { 0.9, 0.5, 0.35, 0.3 }, evaluation_cost = { 1.0, 0.6, 0.5, 0.52 },
  training_accuracy = { 0.6, 0.8, 0.87, 0.9 }, evaluation_accuracy = { 0.55, 0.75, 0.8, 0.79 },
  gradient_norms = { epoch = { 1, 2, 3, 4 }, weight = { { 0.5, 0.3, 0.2, 0.1 }, { 2, 1, 0.5, 0.4 } },
    bias = { {}, { 0.02, 0.01, 0.004, 0.003 } } },
}

describe("plot golden files (regression)", function()
  it("line charts: linear axes, fixed ends, many decades, colour cycling", function()
    golden("line_linear.svg", plot.line(LINE))
    golden("line_fixed.svg", plot.line(FIXED))
    golden("line_decades.svg", plot.line(DECADES))
    golden("line_many.svg", plot.line(MANY))
    -- how many decades a log axis labels depends on its length: one axis
    -- every 15 pixels of height, and wide and narrow value spans
    local axes = {}
    for h = 150, 450, 15 do
      for _, top in ipairs { 3, 12 } do
        local doc = plot.line { logy = true, width = 200, height = h,
          series = { { y = { 10 ^ -top, 1, 10 ^ (top // 3) } } } }
        -- only the tick labels (the choice under test) are kept
        local ticks = {}
        for tick in doc:gmatch('<text[^>]- class="ytick"[^>]*>[^<]*</text>') do ticks[#ticks + 1] = tick end
        axes[#axes + 1] = ("height %d, 1e-%d .. 1e%d\n%s"):format(h, top, top // 3, table.concat(ticks, "\n"))
      end
    end
    golden("line_log_lengths.txt", table.concat(axes, "\n"))
  end)

  it("bar charts: turned labels and negative values, log bars", function()
    golden("bar_turned.svg", plot.bar(BAR))
    golden("bar_log.svg", plot.bar(BAR_LOG))
  end)

  it("heatmaps: labels, NaN, the diverging and default colour maps", function()
    golden("heatmap_labels.svg", plot.heatmap(HEAT))
    golden("heatmap_plain.svg", plot.heatmap(HEAT_PLAIN))
  end)

  it("images: flat with a shape, one scale for all, raw values", function()
    golden("images_flat.svg", plot.images(FLAT))
    golden("images_raw.svg", plot.images(RAW))
  end)

  it("a grid of charts and the training monitor", function()
    golden("grid.svg", plot.grid { title = "two", cols = 1, charts = { plot.line(FIXED), plot.bar(BAR_LOG) } })
    golden("monitor.svg", plot.monitor(HISTORY, { title = "run" }))
  end)

  it("text renderings: lines (plain and in colour), log axes, images, heatmaps", function()
    local function text(o, extra)
      local t = {}
      for k, v in pairs(o) do t[k] = v end
      t.width, t.height = nil, nil   -- the SVG sizes are pixels
      for k, v in pairs(extra or {}) do t[k] = v end
      return plot.text(t)
    end
    golden("text_line.txt", text(LINE, { width = 60, height = 12 }))
    golden("text_line_color.txt", text(MANY, { color = true, width = 50, height = 10 }))
    golden("text_fixed.txt", text(FIXED))
    golden("text_decades.txt", text(DECADES, { width = 40, height = 8 }))
    golden("text_images.txt", plot.text { images = RAW.images, normalize = false, cmap = "diverging", color = true })
    golden("text_images_flat.txt", plot.text { images = FLAT.images, shape = { 2, 3 }, normalize = "all" })
    golden("text_heatmap.txt", plot.text { data = HEAT.data, collabels = HEAT.collabels, rowlabels = HEAT.rowlabels,
      cmap = "diverging", color = true })
    golden("text_heatmap_plain.txt", plot.text { data = HEAT_PLAIN.data })
  end)
end)
