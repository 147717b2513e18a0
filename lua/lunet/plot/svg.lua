-- lunet.plot.svg: the SVG backend of lunet.plot.
--
-- It receives chart specs that lunet.plot has already validated and
-- normalised (every gap is NaN, log-scale non-positive values are already
-- gaps, image pixels are already mapped to 0..1) and returns SVG documents
-- as strings.  Output must be byte-for-byte reproducible, so every number
-- goes through num() and every loop runs over arrays, never over pairs().

local M = {}
M.core = require "lunet.core"   -- png_encode

local fmt, concat = string.format, table.concat
local floor, ceil, max, min, abs = math.floor, math.ceil, math.max, math.min, math.abs

local EPS = 1e-9

local function log10(v) return math.log(v, 10) end

-- Okabe & Ito palette: stays distinguishable under the common colour-vision
-- deficiencies.  Yellow is last because it is faint on white.
M.PALETTE = { "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442" }
-- Past eight series the colours repeat, so the line style has to differ.
local DASHES = { false, "7 4", "2 3" }

local GRID, MINOR_GRID, AXIS, FRAME = "#e3e3e3", "#f3f3f3", "#444444", "#cccccc"

---------------------------------------------------------------------------
-- Writing XML
---------------------------------------------------------------------------

-- Two decimals are far below a pixel; trimming zeros keeps files small.
function M.num(v)
  local s = fmt("%.2f", v)
  s = s:gsub("0+$", ""):gsub("%.$", "")
  if s == "-0" then s = "0" end
  return s
end
local num = M.num

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

-- Invalid UTF-8 or control characters would make the whole file unreadable
-- to XML parsers, so they are replaced or dropped rather than passed on.
function M.escape(s)
  s = tostring(s)
  if not utf8.len(s) then s = s:gsub("[\128-\255]", "?") end
  s = s:gsub("[\0-\8\11\12\14-\31]", "")
  return (s:gsub("[&<>\"']", ESC))
end
local escape = M.escape

-- Attributes come as a flat array {name, value, ...} so their order is
-- fixed; a false value omits the attribute.
local function attrs(list)
  local parts = {}
  for i = 1, #list, 2 do
    local v = list[i + 1]
    if v then
      parts[#parts + 1] = fmt(' %s="%s"', list[i], type(v) == "number" and num(v) or escape(v))
    end
  end
  return concat(parts)
end

local function el(out, name, list) out[#out + 1] = "<" .. name .. attrs(list) .. "/>" end
local function open(out, name, list) out[#out + 1] = "<" .. name .. attrs(list) .. ">" end
local function close(out, name) out[#out + 1] = "</" .. name .. ">" end

local function text(out, x, y, s, list)
  local a = { "x", x, "y", y }
  for i = 1, #(list or {}) do a[#a + 1] = list[i] end
  out[#out + 1] = "<text" .. attrs(a) .. ">" .. escape(s) .. "</text>"
end

-- No font metrics are available, so widths are estimated on the generous
-- side (sans-serif averages ~0.55 em per character).
local function text_width(s, size)
  s = tostring(s)
  return (utf8.len(s) or #s) * (size or 12) * 0.6
end
M.text_width = text_width

-- No document is shown wider than this: a wider layout (a chart made wider
-- on purpose) is scaled down to it by its viewBox, so it fits a window.
M.MAX_WIDTH = 1000

function M.document(w, h, body)
  local sw, sh = w, h
  if w > M.MAX_WIDTH then sw, sh = M.MAX_WIDTH, h * M.MAX_WIDTH / w end
  local head = fmt('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s"'
    .. ' font-family="sans-serif" font-size="12">', num(sw), num(sh), num(w), num(h))
  return concat({ head, '<rect width="100%" height="100%" fill="#ffffff"/>', concat(body, "\n"), "</svg>", "" },
    "\n")
end

local function title(out, spec, width)
  if spec.title then
    text(out, width / 2, 24, spec.title, { "text-anchor", "middle", "font-size", 16, "font-weight", "bold" })
  end
end

---------------------------------------------------------------------------
-- Axes and ticks
---------------------------------------------------------------------------

-- Step of 1, 2 or 5 times a power of ten closest to `raw`.
local function nice_step(raw)
  local base = 10.0 ^ floor(log10(raw))
  local f = raw / base
  local m = f < 1.5 and 1 or f < 3 and 2 or f < 7 and 5 or 10
  return m * base
end

-- All labels of an axis get the same number of decimals, so they line up.
local function linear_label(v, step)
  local d = max(0, -floor(log10(step) + EPS))
  local s = (abs(v) >= 1e6 or d > 6) and fmt("%.3g", v) or fmt("%." .. d .. "f", v)
  if s:match("^%-[0.]+$") then s = s:sub(2) end
  return s
end

-- A linear axis from lo to hi, `len` pixels long, with about one tick per
-- `spacing` pixels.  Expanded sides are rounded outwards to a tick, so the
-- extreme data values get a labelled gridline.
-- `whole` keeps the step at 1 or more (epochs have no fractions).
function M.linear_axis(lo, hi, len, spacing, expand_lo, expand_hi, whole)
  if hi - lo <= abs(hi) * 1e-12 then
    -- A flat line still needs a visible range around it.
    local pad = lo == 0 and 1 or abs(lo) * 0.1
    lo, hi = lo - pad, hi + pad
  end
  local step = nice_step((hi - lo) / max(2, floor(len / spacing)))
  if whole then step = max(step, 1) end
  if expand_lo then lo = floor(lo / step + EPS) * step end
  if expand_hi then hi = ceil(hi / step - EPS) * step end
  local ticks = {}
  for i = ceil(lo / step - EPS), floor(hi / step + EPS) do
    ticks[#ticks + 1] = { v = i * step, label = linear_label(i * step, step) }
  end
  return { lo = lo, hi = hi, ticks = ticks }
end

local SUP = { ["-"] = "⁻", ["0"] = "⁰", ["1"] = "¹", ["2"] = "²", ["3"] = "³", ["4"] = "⁴",
  ["5"] = "⁵", ["6"] = "⁶", ["7"] = "⁷", ["8"] = "⁸", ["9"] = "⁹" }

function M.pow10_label(e) return "10" .. (tostring(e):gsub("[-%d]", SUP)) end

local function inside(v, lo, hi) return v >= lo * (1 - EPS) and v <= hi * (1 + EPS) end

-- A range too narrow to hold two powers of ten (only possible with fixed
-- ymin/ymax) gets its 1-2-5 ticks labelled instead, so it is never bare.
local function label_fallback(ticks)
  local labelled = 0
  for _, t in ipairs(ticks) do if t.label then labelled = labelled + 1 end end
  if labelled >= 2 then return end
  for _, t in ipairs(ticks) do
    local m = t.v / 10.0 ^ floor(log10(t.v) + EPS)
    if abs(m - 1) < 1e-6 or abs(m - 2) < 1e-6 or abs(m - 5) < 1e-6 then t.label = fmt("%g", t.v) end
  end
end

-- m x 10^e as a label: plain digits for moderate magnitudes, else 2×10⁻⁴.
local function log_label(m, e)
  if e >= -3 and e <= 4 then return fmt("%g", m * 10.0 ^ e) end
  return (m == 1 and "" or m .. "×") .. M.pow10_label(e)
end

-- Fewer than four labelled powers of ten do not let a reader place a value
-- (gradient norms spanning one or two decades): the 2 and 5 ticks get
-- labels too, when a decade is long enough (93 px) to keep them 28 px apart.
local function label_dense(ticks, per_decade)
  local labelled = 0
  for _, t in ipairs(ticks) do if t.label then labelled = labelled + 1 end end
  if labelled >= 4 or per_decade < 28 / log10(2) then return end
  for _, t in ipairs(ticks) do
    local e = floor(log10(t.v) + EPS)
    local m = floor(t.v / 10.0 ^ e + 0.5)
    if m == 1 or m == 2 or m == 5 then t.label = log_label(m, e) end
  end
end

-- A log axis: majors at powers of ten (labels thinned to stay ~28 px
-- apart), minors at 2..9 times them while there is room to see them.
-- Without fixed ends the range is widened to whole decades.
function M.log_axis(lo, hi, len, fixed_lo, fixed_hi)
  local e0, e1 = floor(log10(lo) + EPS), ceil(log10(hi) - EPS)
  if e1 <= e0 then e1 = e0 + 1 end
  local dlo, dhi = fixed_lo or 10.0 ^ e0, fixed_hi or 10.0 ^ e1
  local decades = log10(dhi) - log10(dlo)
  local every = max(1, ceil(decades * 28 / len))
  local ticks = {}
  for e = floor(log10(dlo) + EPS), ceil(log10(dhi) - EPS) do
    local p = 10.0 ^ e
    if inside(p, dlo, dhi) then
      ticks[#ticks + 1] = { v = p, label = e % every == 0 and M.pow10_label(e) or nil }
    end
    for m = 2, 9 do
      if decades <= 6 and inside(m * p, dlo, dhi) then ticks[#ticks + 1] = { v = m * p, minor = true } end
    end
  end
  label_dense(ticks, len / decades)
  label_fallback(ticks)
  return { lo = dlo, hi = dhi, log = true, ticks = ticks }
end

-- Function from data value to pixel, p0 at axis.lo and p1 at axis.hi.
local function mapper(axis, p0, p1)
  if axis.log then
    local a, b = log10(axis.lo), log10(axis.hi)
    return function(v) return p0 + (log10(v) - a) / (b - a) * (p1 - p0) end
  end
  local a, b = axis.lo, axis.hi
  return function(v) return p0 + (v - a) / (b - a) * (p1 - p0) end
end

local function max_label_width(axis)
  local w = 0
  for _, t in ipairs(axis.ticks) do
    if t.label then w = max(w, text_width(t.label)) end
  end
  return w
end

-- Plot area for an axis chart.  The left margin depends on the y tick
-- labels, which depend on the plot height, so the y axis is built first.
local function frame(spec, make_yaxis, extra_top, extra_bottom, min_left)
  local top = (spec.title and 40 or 16) + (extra_top or 0)
  local bottom = 28 + (spec.xlabel and 20 or 0) + (extra_bottom or 0)
  local h = spec.height - top - bottom
  local yaxis = make_yaxis(h)
  local left = max(12 + (spec.ylabel and 20 or 0) + max_label_width(yaxis) + 8, min_left or 0)
  local f = { left = left, top = top, w = spec.width - left - 24, h = h }
  f.right, f.bottom = f.left + f.w, f.top + f.h
  return f, yaxis
end

local function hline(out, f, y, stroke)
  el(out, "line", { "x1", f.left, "y1", y, "x2", f.right, "y2", y, "stroke", stroke })
end

local function vline(out, f, x, stroke)
  el(out, "line", { "x1", x, "y1", f.top, "x2", x, "y2", f.bottom, "stroke", stroke })
end

local function y_axis(out, f, axis, sy)
  for _, t in ipairs(axis.ticks) do
    local y = sy(t.v)
    hline(out, f, y, t.minor and MINOR_GRID or GRID)
    local len = t.minor and 3 or 5
    el(out, "line", { "x1", f.left - len, "y1", y, "x2", f.left, "y2", y, "stroke", AXIS })
    if t.label then text(out, f.left - 8, y + 4, t.label, { "text-anchor", "end", "class", "ytick" }) end
  end
end

local function x_axis(out, f, axis, sx)
  for _, t in ipairs(axis.ticks) do
    local x = sx(t.v)
    vline(out, f, x, GRID)
    el(out, "line", { "x1", x, "y1", f.bottom, "x2", x, "y2", f.bottom + 5, "stroke", AXIS })
    text(out, x, f.bottom + 19, t.label, { "text-anchor", "middle", "class", "xtick" })
  end
end

local function axis_lines(out, f)
  el(out, "line", { "x1", f.left, "y1", f.top, "x2", f.left, "y2", f.bottom, "stroke", AXIS })
  el(out, "line", { "x1", f.left, "y1", f.bottom, "x2", f.right, "y2", f.bottom, "stroke", AXIS })
end

local function axis_titles(out, spec, f)
  if spec.xlabel then
    text(out, f.left + f.w / 2, f.bottom + 42 + (spec.xlabel_drop or 0), spec.xlabel, { "text-anchor", "middle" })
  end
  if spec.ylabel then
    local x, y = 16, f.top + f.h / 2
    text(out, x, y, spec.ylabel, { "text-anchor", "middle", "transform", fmt("rotate(-90 %s %s)", num(x), num(y)) })
  end
end

---------------------------------------------------------------------------
-- Series styling and legends
---------------------------------------------------------------------------

local function style(i)
  return M.PALETTE[(i - 1) % #M.PALETTE + 1], DASHES[(i - 1) // #M.PALETTE % #DASHES + 1]
end

local function legend_entry(out, i, x, y, name, markers)
  local colour, dash = style(i)
  el(out, "line", { "x1", x, "y1", y, "x2", x + 22, "y2", y, "stroke", colour, "stroke-width", 2,
    "stroke-dasharray", dash })
  if markers then el(out, "circle", { "cx", x + 11, "cy", y, "r", 3, "fill", colour }) end
  text(out, x + 28, y + 4, name, { "class", "legend" })
end

local function legend_size(series)
  local w = 0
  for _, s in ipairs(series) do w = max(w, text_width(s.name)) end
  return w + 46, #series * 18 + 10
end

-- Points sampled along the drawn lines (every ~6 px) so that the legend
-- can avoid the corner where the data is.
local function samples(paths)
  local pts = {}
  for _, path in ipairs(paths) do
    for k = 1, #path - 1 do
      local a, b = path[k], path[k + 1]
      if a and b then
        local n = max(1, ceil(math.sqrt((b[1] - a[1]) ^ 2 + (b[2] - a[2]) ^ 2) / 6))
        for j = 0, n do pts[#pts + 1] = { a[1] + (b[1] - a[1]) * j / n, a[2] + (b[2] - a[2]) * j / n } end
      elseif a then
        pts[#pts + 1] = a
      end
    end
    if path[#path] then pts[#pts + 1] = path[#path] end
  end
  return pts
end

-- Corners in order of preference; the first with the fewest data points
-- under the box wins.
local CORNERS = { { 1, 0 }, { 1, 1 }, { 0, 0 }, { 0, 1 } }

local function legend_position(f, w, h, pts)
  local best, bx, by
  for _, c in ipairs(CORNERS) do
    local x = c[1] == 1 and f.right - w - 8 or f.left + 8
    local y = c[2] == 0 and f.top + 8 or f.bottom - h - 8
    local hits = 0
    for _, p in ipairs(pts) do
      if p[1] >= x - 4 and p[1] <= x + w + 4 and p[2] >= y - 4 and p[2] <= y + h + 4 then hits = hits + 1 end
    end
    if not best or hits < best then best, bx, by = hits, x, y end
  end
  return bx, by
end

local function inner_legend(out, spec, f, paths)
  if not spec.legend then return end
  local w, h = legend_size(spec.series)
  local x, y = legend_position(f, w, h, samples(paths))
  el(out, "rect", { "x", x, "y", y, "width", w, "height", h, "rx", 3, "fill", "#ffffff", "fill-opacity", 0.88,
    "stroke", FRAME })
  for i, s in ipairs(spec.series) do legend_entry(out, i, x + 8, y + 14 + (i - 1) * 18, s.name, spec.markers) end
end

-- One row of legend entries centred above the plot (used by bar charts,
-- whose bars would be hidden by a box inside the plot).
local function top_legend(out, spec, width, y)
  local widths, total = {}, 0
  for i, s in ipairs(spec.series) do
    widths[i] = text_width(s.name) + 46
    total = total + widths[i]
  end
  local x = max(8, (width - total) / 2)
  for i, s in ipairs(spec.series) do
    local colour = style(i)
    el(out, "rect", { "x", x, "y", y - 6, "width", 14, "height", 12, "fill", colour })
    text(out, x + 20, y + 4, s.name, { "class", "legend" })
    x = x + widths[i]
  end
end

---------------------------------------------------------------------------
-- Line charts
---------------------------------------------------------------------------

-- Range of a field over the points that are drawn, and whether all of
-- them are whole numbers.
local function extent(series, field)
  local lo, hi, whole = math.huge, -math.huge, true
  for _, s in ipairs(series) do
    for i = 1, s.n do
      local v = s[field][i]
      if v == v and s.y[i] == s.y[i] then
        lo, hi, whole = min(lo, v), max(hi, v), whole and v == floor(v)
      end
    end
  end
  return lo, hi, whole
end

local function make_y_axis(spec, lo, hi, len)
  lo, hi = spec.ymin or lo, spec.ymax or hi
  if lo >= hi then
    -- A fixed end beyond all the data: the free end moves past it.
    if spec.ymin then hi = spec.logy and lo * 10 or lo + 1 else lo = spec.logy and hi / 10 or hi - 1 end
  end
  if spec.logy then return M.log_axis(lo, hi, len, spec.ymin, spec.ymax) end
  return M.linear_axis(lo, hi, len, 60, not spec.ymin, not spec.ymax)
end

-- Pixel points of a series, with false where the line must break.
local function pixel_path(s, sx, sy)
  local path = {}
  for i = 1, s.n do
    local y = s.y[i]
    path[i] = y == y and { sx(s.x[i]), sy(y) } or false
  end
  return path
end

-- Path data, broken at gaps, and the points that have a gap on both
-- sides: a line cannot show those, so they get a dot of their own.
local function path_data(path)
  local d, lone, run = {}, {}, 0
  for i = 1, #path + 1 do
    local p = path[i]
    if p then
      d[#d + 1] = (run == 0 and "M" or "L") .. num(p[1]) .. " " .. num(p[2])
      run = run + 1
    else
      if run == 1 then lone[#lone + 1] = path[i - 1] end
      run = 0
    end
  end
  return concat(d, " "), lone
end

local function dots(out, points, colour)
  for _, p in ipairs(points) do
    if p then el(out, "circle", { "cx", p[1], "cy", p[2], "r", 3, "fill", colour }) end
  end
end

local function draw_series(out, spec, paths)
  for i, path in ipairs(paths) do
    local colour, dash = style(i)
    local d, lone = path_data(path)
    el(out, "path", { "class", "series", "d", d, "fill", "none", "stroke", colour, "stroke-width", 2,
      "stroke-linejoin", "round", "stroke-linecap", "round", "stroke-dasharray", dash })
    dots(out, spec.markers and path or lone, colour)
  end
end

-- Background lines (contours, references): thin, grey, under the series.
local function draw_background(out, spec, sx, sy)
  for _, s in ipairs(spec.background or {}) do
    local d = path_data(pixel_path(s, sx, sy))
    el(out, "path", { "class", "background", "d", d, "fill", "none", "stroke", "#b0b0b0", "stroke-width", 1 })
  end
end

-- Labelled vertical lines (epoch 0, "before training"), dashed, under the
-- series; the label sits just right of the line at the top of the plot.
local function draw_marks(out, spec, f, sx)
  for _, m in ipairs(spec.marks or {}) do
    local x = sx(m.x)
    el(out, "line", { "class", "mark", "x1", x, "y1", f.top, "x2", x, "y2", f.bottom, "stroke", "#888888",
      "stroke-dasharray", "4 3" })
    if m.label then text(out, x + 4, f.top + 12, m.label, { "class", "mark", "font-size", 11, "fill", "#555555" }) end
  end
end

function M.line(spec)
  local all = { table.unpack(spec.series) }
  for _, s in ipairs(spec.background or {}) do all[#all + 1] = s end
  local ylo, yhi = extent(all, "y")
  local xlo, xhi, whole = extent(all, "x")
  for _, m in ipairs(spec.marks or {}) do
    xlo, xhi, whole = min(xlo, m.x), max(xhi, m.x), whole and m.x == floor(m.x)
  end
  local f, yaxis = frame(spec, function(h) return make_y_axis(spec, ylo, yhi, h) end)
  local xaxis = M.linear_axis(xlo, xhi, f.w, 70, false, false, whole)
  local sx, sy = mapper(xaxis, f.left, f.right), mapper(yaxis, f.bottom, f.top)
  local out = {}
  title(out, spec, spec.width)
  y_axis(out, f, yaxis, sy)
  x_axis(out, f, xaxis, sx)
  axis_lines(out, f)
  axis_titles(out, spec, f)
  draw_marks(out, spec, f, sx)
  local paths = {}
  for i, s in ipairs(spec.series) do paths[i] = pixel_path(s, sx, sy) end
  -- The nested viewport clips lines that leave a fixed ymin/ymax range,
  -- with a few pixels of slack so strokes on the border stay whole.
  out[#out + 1] = fmt('<svg x="%s" y="%s" width="%s" height="%s" viewBox="%s %s %s %s" overflow="hidden">',
    num(f.left - 5), num(f.top - 5), num(f.w + 10), num(f.h + 10),
    num(f.left - 5), num(f.top - 5), num(f.w + 10), num(f.h + 10))
  draw_background(out, spec, sx, sy)
  draw_series(out, spec, paths)
  close(out, "svg")
  inner_legend(out, spec, f, paths)
  return M.document(spec.width, spec.height, out)
end

---------------------------------------------------------------------------
-- Bar charts
---------------------------------------------------------------------------

local ROTATE = 35

local function bar_extent(spec)
  local lo, hi = math.huge, -math.huge
  for _, s in ipairs(spec.series) do
    for i = 1, #spec.labels do
      local v = s.values[i]
      if v == v then lo, hi = min(lo, v), max(hi, v) end
    end
  end
  if not spec.logy then lo, hi = min(lo, 0), max(hi, 0) end
  return lo, hi
end

local function shorten(s, n)
  if (utf8.len(s) or #s) <= n then return s end
  return s:sub(1, (utf8.offset(s, n) or n) - 1) .. "…"
end

-- Category labels are turned when they would not fit under their bars
-- (and shortened so they cannot run off the page).  The room they need
-- below and left of the plot is estimated before the layout exists.
local function label_room(spec)
  local band = (spec.width - 100) / #spec.labels
  local w = 0
  for _, l in ipairs(spec.labels) do w = max(w, text_width(l)) end
  if w <= band * 0.95 then return 0, 0 end
  for i, l in ipairs(spec.labels) do spec.labels[i] = shorten(l, 24) end
  w = min(w, text_width(("x"):rep(24)))
  local first = text_width(spec.labels[1]) * math.cos(math.rad(ROTATE))
  return w * math.sin(math.rad(ROTATE)), first - band / 2 + 12
end

local function category_labels(out, spec, f, band, drop)
  for i, l in ipairs(spec.labels) do
    local x, y = f.left + (i - 0.5) * band, f.bottom + 19
    if drop > 0 then
      text(out, x + 4, y - 4, l, { "text-anchor", "end", "class", "xtick",
        "transform", fmt("rotate(-%d %s %s)", ROTATE, num(x + 4), num(y - 4)) })
    else
      text(out, x, y, l, { "text-anchor", "middle", "class", "xtick" })
    end
  end
end

-- Bars grow from zero, or from the bottom of a log axis (which has no zero).
local function draw_bars(out, spec, f, sy, band, base)
  local m = #spec.series
  local width = band * 0.8 / m
  for j, s in ipairs(spec.series) do
    local colour = style(m == 1 and 1 or j)
    for i = 1, #spec.labels do
      local v = s.values[i]
      if v == v then
        local y = sy(v)
        el(out, "rect", { "class", "bar", "x", f.left + (i - 1) * band + band * 0.1 + (j - 1) * width,
          "y", min(y, base), "width", width, "height", abs(base - y), "fill", colour })
      end
    end
  end
end

function M.bar(spec)
  local lo, hi = bar_extent(spec)
  local drop, overhang = label_room(spec)
  local f, yaxis = frame(spec, function(h)
    if spec.logy then return M.log_axis(lo, hi, h) end
    return M.linear_axis(lo, hi, h, 60, true, true)
  end, spec.legend and 24 or 0, drop, overhang)
  local sy = mapper(yaxis, f.bottom, f.top)
  local band = f.w / #spec.labels
  local out = {}
  title(out, spec, spec.width)
  y_axis(out, f, yaxis, sy)
  axis_lines(out, f)
  spec.xlabel_drop = drop
  axis_titles(out, spec, f)
  category_labels(out, spec, f, band, drop)
  draw_bars(out, spec, f, sy, band, sy(spec.logy and yaxis.lo or 0))
  if not spec.logy and yaxis.lo < 0 then hline(out, f, sy(0), AXIS) end
  if spec.legend then top_legend(out, spec, spec.width, f.top - 14) end
  return M.document(spec.width, spec.height, out)
end

---------------------------------------------------------------------------
-- Pixels: image grids and heatmaps
---------------------------------------------------------------------------

-- Colour maps are quantised to LEVELS + 1 colours, so that equal
-- neighbours merge.  An even LEVELS puts t = 0.5 exactly on a level, which
-- keeps zero pure white in the diverging map.
M.LEVELS = 254

-- t in 0..1 (NaN = missing) to one of the precomputed colours.
local function colour_of(t, colours)
  if t ~= t then return nil end
  return colours[floor(min(1, max(0, t)) * M.LEVELS + 0.5)]
end

-- Equal neighbours in a row are merged into one rect, and white ones are
-- skipped (the page is white), which keeps tiny images small and readable.
local function pixel_rects(out, img, colours)
  for r = 1, img.rows do
    local row, c = img.t[r], 1
    while c <= img.cols do
      local colour, c2 = colour_of(row[c], colours), c
      while c2 < img.cols and colour_of(row[c2 + 1], colours) == colour do c2 = c2 + 1 end
      if colour and colour ~= "#ffffff" then
        out[#out + 1] = fmt('<rect x="%d" y="%d" width="%d" height="1" fill="%s"/>', c - 1, r - 1, c2 - c + 1, colour)
      end
      c = c2 + 1
    end
  end
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local q = { n >> 18, (n >> 12) & 63, (n >> 6) & 63, n & 63 }
    out[#out + 1] = B64:sub(q[1] + 1, q[1] + 1) .. B64:sub(q[2] + 1, q[2] + 1)
      .. (b and B64:sub(q[3] + 1, q[3] + 1) or "=") .. (c and B64:sub(q[4] + 1, q[4] + 1) or "=")
  end
  return concat(out)
end
M.base64 = base64

local function rgb(hex)
  return tonumber(hex:sub(2, 3), 16), tonumber(hex:sub(4, 5), 16), tonumber(hex:sub(6, 7), 16)
end

-- The image as a PNG data: URI: 8-bit grey when every colour used is a
-- grey and no pixel is missing (the gray map, MNIST digits), else a
-- palette of the colours used with index 0 transparent for missing pixels.
local function png_uri(img, colours)
  local levels, used, grey, missing = {}, {}, true, false
  for r = 1, img.rows do
    local row = img.t[r]
    for c = 1, img.cols do
      local t = row[c]
      local k = t == t and floor(min(1, max(0, t)) * M.LEVELS + 0.5) or -1
      levels[#levels + 1] = k
      if k < 0 then
        missing = true
      elseif not used[k] then
        local R, G, B = rgb(colours[k])
        used[k] = { R, G, B }
        grey = grey and R == G and G == B
      end
    end
  end
  local char, bytes = string.char, {}
  local png
  if grey and not missing then
    for i, k in ipairs(levels) do bytes[i] = char(used[k][1]) end
    png = M.core.png_encode(img.cols, img.rows, "gray", concat(bytes))
  else
    local index, palette = {}, { "\0\0\0" }
    for k = 0, M.LEVELS do
      if used[k] then
        palette[#palette + 1] = char(used[k][1], used[k][2], used[k][3])
        index[k] = #palette - 1
      end
    end
    for i, k in ipairs(levels) do bytes[i] = char(k < 0 and 0 or index[k]) end
    png = M.core.png_encode(img.cols, img.rows, "palette", concat(bytes), concat(palette), "\0")
  end
  return "data:image/png;base64," .. base64(png)
end

-- Pixels as rects when that is smaller (a few pixels, or few runs), else as
-- one PNG image: misclassified digits or a weight grid would otherwise
-- take a rect per run of one colour (megabytes for a few dozen images).
local PNG_WORTH = 600   -- bytes of rects above which a PNG is tried

local function pixels(out, img, colours, x, y, scale)
  local rects, size = {}, 0
  pixel_rects(rects, img, colours)
  for _, r in ipairs(rects) do size = size + #r + 1 end
  local uri = size > PNG_WORTH and png_uri(img, colours)
  if uri and #uri + 160 < size then
    el(out, "image", { "x", x, "y", y, "width", img.cols * scale, "height", img.rows * scale,
      "preserveAspectRatio", "none", "image-rendering", "optimizeSpeed", "style", "image-rendering:pixelated",
      "href", uri })
  else
    open(out, "g", { "transform", fmt("translate(%s %s) scale(%s)", num(x), num(y), num(scale)),
      "shape-rendering", "crispEdges" })
    for _, r in ipairs(rects) do out[#out + 1] = r end
    close(out, "g")
  end
  el(out, "rect", { "x", x - 0.5, "y", y - 0.5, "width", img.cols * scale + 1, "height", img.rows * scale + 1,
    "fill", "none", "stroke", FRAME })
end

local GAP, PAD = 8, 12

local function image_cell(spec)
  local rows, cols = 0, 0
  for _, img in ipairs(spec.images) do rows, cols = max(rows, img.rows), max(cols, img.cols) end
  return cols * spec.scale, rows * spec.scale + (spec.labels and 18 or 0)
end

-- Columns (then, if one column is still too wide, the scale) reduced so
-- the grid fits MAX_WIDTH.
local function fit_images(spec)
  local cw = image_cell(spec)
  local fits = (M.MAX_WIDTH - 2 * PAD + GAP) // (cw + GAP)
  if fits >= 1 then
    spec.cols = min(spec.cols, fits)
  else
    local widest = 0
    for _, img in ipairs(spec.images) do widest = max(widest, img.cols) end
    spec.cols, spec.scale = 1, max(0.01, (M.MAX_WIDTH - 2 * PAD) / widest)
  end
end

function M.images(spec)
  fit_images(spec)
  local n, ncols = #spec.images, spec.cols
  local nrows = ceil(n / ncols)
  local cw, ch = image_cell(spec)
  local top = spec.title and 40 or PAD
  local width = max(2 * PAD + ncols * cw + (ncols - 1) * GAP, spec.title and text_width(spec.title, 16) + 24 or 0)
  local height = top + nrows * ch + (nrows - 1) * GAP + PAD
  local left = (width - (ncols * cw + (ncols - 1) * GAP)) / 2
  local out = {}
  title(out, spec, width)
  for i, img in ipairs(spec.images) do
    local x = left + ((i - 1) % ncols) * (cw + GAP)
    local y = top + (i - 1) // ncols * (ch + GAP)
    pixels(out, img, spec.colours, x + (cw - img.cols * spec.scale) / 2, y, spec.scale)
    if spec.labels then
      text(out, x + cw / 2, y + ch - 4, spec.labels[i],
        { "text-anchor", "middle", "font-size", 11, "class", "caption" })
    end
  end
  return M.document(width, height, out)
end

-- Row or column labels: the given ones, or 1-based indices thinned to
-- nice steps when cells are too small to label each one.  `spacing` is the
-- room one label needs along the axis (nil: the width of the widest).
local function index_labels(given, n, len, spacing)
  if given then
    local every = max(1, ceil(n * 14 / len))
    local list = {}
    for i = 1, n, every do list[#list + 1] = { i = i, label = given[i] } end
    return list
  end
  local list = {}
  spacing = spacing or 12 + text_width(tostring(n))
  for _, t in ipairs(M.linear_axis(1, max(n, 2), len, spacing, false, false, true).ticks) do
    if t.v >= 1 and t.v <= n then list[#list + 1] = { i = floor(t.v), label = tostring(floor(t.v)) } end
  end
  return list
end

local function colour_bar(out, spec, x, y, h)
  open(out, "g", { "shape-rendering", "crispEdges" })
  for k = 0, 63 do
    el(out, "rect", { "x", x, "y", y + h * (63 - k) / 64, "width", 14, "height", h / 64 + 0.5,
      "fill", spec.colours[floor(k * M.LEVELS / 63 + 0.5)] })
  end
  close(out, "g")
  el(out, "rect", { "x", x, "y", y, "width", 14, "height", h, "fill", "none", "stroke", FRAME })
  for _, l in ipairs(spec.bar_labels) do
    text(out, x + 20, y + h * (1 - l.at) + 4, l.label, { "class", "cbar" })
  end
end

local function heatmap_layout(spec)
  local lw = 0
  for _, l in ipairs(spec.rowlabels or {}) do lw = max(lw, text_width(l)) end
  local bw = 0
  for _, l in ipairs(spec.bar_labels) do bw = max(bw, text_width(l.label)) end
  local top = spec.title and 40 or 16
  local left = 12 + (spec.ylabel and 20 or 0) + max(lw, 24) + 8
  local right = 16 + 14 + 8 + bw + 12
  local bottom = 28 + (spec.xlabel and 20 or 0)
  local cell = min((spec.width - left - right) / spec.data.cols, (spec.height - top - bottom) / spec.data.rows)
  -- Whole-pixel cells avoid uneven rows at small sizes.
  if cell >= 3 then cell = floor(cell) end
  return { left = left, top = top, cell = cell, w = cell * spec.data.cols, h = cell * spec.data.rows,
    right = right, bottom = bottom }
end

function M.heatmap(spec)
  local L = heatmap_layout(spec)
  local width = max(L.left + L.w + L.right, spec.title and text_width(spec.title, 16) + 24 or 0)
  local height = L.top + L.h + L.bottom
  local f = { left = L.left, top = L.top, w = L.w, h = L.h, right = L.left + L.w, bottom = L.top + L.h }
  local out = {}
  title(out, spec, width)
  pixels(out, spec.data, spec.colours, f.left, f.top, L.cell)
  for _, c in ipairs(index_labels(spec.collabels, spec.data.cols, L.w)) do
    text(out, f.left + (c.i - 0.5) * L.cell, f.bottom + 19, c.label, { "text-anchor", "middle", "class", "xtick" })
  end
  for _, r in ipairs(index_labels(spec.rowlabels, spec.data.rows, L.h, 18)) do
    text(out, f.left - 8, f.top + (r.i - 0.5) * L.cell + 4, r.label, { "text-anchor", "end", "class", "ytick" })
  end
  axis_titles(out, spec, f)
  colour_bar(out, spec, f.right + 16, f.top, L.h)
  return M.document(width, height, out)
end

---------------------------------------------------------------------------
-- Grids of charts
---------------------------------------------------------------------------

-- Width and height of a chart from its root <svg> tag.
function M.size(doc)
  local root = doc:match("<svg%s[^>]*>")
  if not root then return nil end
  local w, h = root:match('%swidth="([%d.]+)"'), root:match('%sheight="([%d.]+)"')
  return tonumber(w), tonumber(h)
end

-- Charts are nested as they are, positioned with x/y on their root.
local function nest(doc, x, y)
  local s = doc:find("<svg%s")
  return (doc:sub(s):gsub("^<svg", fmt('<svg x="%s" y="%s"', num(x), num(y)), 1)):gsub("%s+$", "")
end

function M.grid(spec)
  local cw, ch = 0, 0
  for _, c in ipairs(spec.charts) do cw, ch = max(cw, c.w), max(ch, c.h) end
  -- panels wrap into rows rather than run past the window's width
  local ncols = max(1, min(spec.cols, (M.MAX_WIDTH + GAP) // (cw + GAP)))
  local nrows = ceil(#spec.charts / ncols)
  local top = spec.title and 40 or 0
  local width = ncols * cw + (ncols - 1) * GAP
  local height = top + nrows * ch + (nrows - 1) * GAP
  local out = {}
  title(out, spec, width)
  for i, c in ipairs(spec.charts) do
    local x = ((i - 1) % ncols) * (cw + GAP)
    local y = top + (i - 1) // ncols * (ch + GAP)
    out[#out + 1] = nest(c.doc, x, y)
  end
  return M.document(width, height, out)
end

return M
