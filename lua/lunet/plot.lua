--[[
lunet.plot -- charts of training runs, as SVG documents or terminal text.

  local plot = require "lunet.plot"

Every chart function takes one table of options and returns an SVG document
as a string; with `file = "path.svg"` it also writes it there (see
plot.save; the directory must already exist).  Unknown option names are
errors, so a typo never passes silently.  Output is deterministic: the same
input gives the same bytes.

Numbers may be given as Lua arrays or as any object with a :totable()
method (lunet tensors: 1-D gives an array, 2-D an array of rows).

Gaps: nil, NaN (0/0) and +-inf values are not drawn (lines break there,
bars are left out).  Non-zero values must lie within 1e-300..1e300 in
magnitude (beyond, the axis arithmetic overflows): others are errors, as
are arrays of more than 2^24 values, width x height above 20000 x 20000
(1000 x 1000 characters for text) and scale above 1000.  Series tables
are checked like options: a key other than name, x, y (values for bars)
is an error.  On a log scale (logy = true) values <= 0 are treated
as gaps too.  An array with trailing nils needs its length in field `n`
(as table.pack sets it), since Lua cannot see trailing nils.

plot.line{ series = {{name=, y=, x=}, ...}, title=, xlabel=, ylabel=,
           logy=false, ymin=, ymax=, markers=false, width=720, height=450,
           file= }
    Line chart.  x defaults to 1..#y and must have as many values as y.
    Series get colours from the Okabe-Ito colour-blind-safe palette (after
    8, dashed lines).  A legend appears when there are several series or
    any series has a name; it goes in the plot corner with least data.
    Linear ticks are 1/2/5 x 10^k; log ticks are powers of ten with minor
    ticks at 2..9 (the 2 and 5 labelled too when fewer than four powers of
    ten are).  marks = {{x =, label =}, ...}: labelled dashed vertical
    lines (plot.monitor marks epoch 0 "before training").  ymin/ymax fix the y range (lines outside are clipped).
    background = {{x=, y=}, ...}: thin grey lines under the series, with
    no legend entries (contour lines, reference curves); they count for
    the axis ranges.  SVG only (the terminal rendering leaves them out).
plot.bar{ labels = {...}, values = {...} | series = {{name=, values=}, ...},
          title=, xlabel=, ylabel=, logy=false, width=720, height=450, file= }
    Bar chart; `series` gives grouped bars, one colour per series.
plot.images{ images = {img, ...}, cols=ceil(sqrt(n)), labels=, title=,
             scale=, normalize="each", cmap="gray", shape=, file= }
    Grid of small images (wrapped to fit 1000 px; one PNG per image when
    that is smaller than a rect per run of pixels).  images may also be a
    4-D tensor of convolution weights (maps, channels, k, k): one k x k
    image per map and channel.  Each image is a 2-D array of rows, or a flat
    array reshaped to `shape = {rows, cols}` (default: square), so the
    rows of a 30x784 weight tensor can be passed directly as `images`.
    scale: pixels per image pixel (default: about 112 px per image).
    normalize: "each" maps every image's own min..max to the colour map,
    "all" uses the min..max of all images, false expects values in 0..1
    (-1..1 for "diverging") and clamps.
    cmap: "gray" (min = white, max = black, i.e. ink on paper),
    "diverging" (blue = negative, white = 0, red = positive; symmetric
    around 0, for weights), "viridis" (dark blue to yellow).
plot.heatmap{ data = 2-D, title=, xlabel=, ylabel=, cmap="viridis",
              collabels=, rowlabels=, width=720, height=450, file= }
    Matrix as coloured cells with a colour bar labelled min/max (and 0 for
    "diverging").  width/height bound the size; cells stay square.
plot.grid{ charts = {svg, ...}, cols=ceil(sqrt(n)), title=, file= }
    Several SVG charts (strings from the functions above) in one document,
    in rows of at most cols charts that fit 1000 px.  No document is shown
    wider than 1000 px: a wider one is scaled down by its viewBox.
plot.monitor(history, { title=, file= })
    Training history in one grid: a cost panel (training_cost,
    evaluation_cost), an accuracy panel in percent (training_accuracy,
    evaluation_accuracy, given as fractions) and, when
    history.gradient_norms.bias (and/or .weight) holds one per-epoch array
    per layer, a log-scale "speed of learning" panel with series
    "layer 1", "layer 2", ...  Missing arrays are left out.  A minimiser's
    history (lunet.minimize: cost, grad_norm) gives a cost panel and a
    gradient-norm panel against iterations, log scales when positive.
plot.save(svg, path) -> path
    Writes path .. ".tmp" then renames it over path, so readers never see
    half a file.  Errors with the OS message when it cannot.
plot.text(opts) -> string;  plot.show(opts) prints it.
    plot.show also takes a tensor (1-D: its values as a line; 2-D: a
    heatmap; 3-D or 4-D: images, e.g. convolution weights), a list of
    numbers (plot.show{1, 4, 9}) or one series' fields at the top
    (plot.show{y = ..., x = ..., title = ...}).  It uses colours when
    standard output is a terminal and NO_COLOR is not set (color = false
    or true decides), and the terminal's width (COLUMNS, else stty/tput)
    unless width is given.
    Terminal rendering.  With `images` as in plot.images, or `data` as in
    plot.heatmap, draws those with shade characters (two pixel rows per
    line; blank = min, full block = max; "diverging" uses . - = # for
    negative values).  Otherwise a line chart with the plot.line options,
    in braille dots: width x height characters (default 60 x 15), y
    labels at top, middle and bottom, the x range below, and a legend
    whose symbol also marks the end of each line.  color = true adds ANSI
    colours (and full-resolution half blocks for images).  Options that
    only make sense in SVG (file, markers, scale, collabels, rowlabels)
    are accepted and ignored; width and height count characters here.
]]

local errors = require "lunet.errors"
local optcheck = require "lunet.opts"
local svg = require "lunet.plot.svg"
local term = require "lunet.plot.term"

local plot = {}

local fmt = string.format
local floor, ceil, max, min, sqrt, huge = math.floor, math.ceil, math.max, math.min, math.sqrt, math.huge
local NaN = 0 / 0

-- {default width, default height, least width, least height, most width,
-- most height}: the bounds keep a typo like width = 1e9 from filling memory.
local SVG_SIZE = { 720, 450, 200, 150, 20000, 20000 }
local TEXT_SIZE = { 60, 15, 4, 2, 1000, 1000 }

---------------------------------------------------------------------------
-- Errors
---------------------------------------------------------------------------

-- Usage errors are raised deep inside helpers but must point at the
-- caller's line, so they travel as tagged objects and the public wrapper
-- re-raises them at level 2.
local UsageError = { __tostring = function(e) return e.msg end }

local function fail(fname, msg, ...)
  error(setmetatable({ msg = fname .. ": " .. fmt(msg, ...) }, UsageError), 0)
end

-- Beyond these magnitudes the axis arithmetic (spans, padding, tick
-- steps) overflows to inf or underflows to 0 and gives NaN coordinates or
-- a tick loop that never ends; such values are refused, not drawn wrong.
local MAX_MAGNITUDE, MIN_MAGNITUDE = 1e300, 1e-300

local function check_magnitude(fname, what, v)
  if v ~= v or v == huge or v == -huge or v == 0 then return end
  local a = math.abs(v)
  if a > MAX_MAGNITUDE or a < MIN_MAGNITUDE then
    fail(fname, "%s: %s cannot be drawn (non-zero values must be 1e-300 to 1e300 in magnitude; scale the data)",
      what, tostring(v))
  end
end

local function public(fname, impl)
  return function(...)
    local ok, res = pcall(impl, fname, ...)
    if ok then return res end
    if getmetatable(res) == UsageError then errors.raise(res.msg) end
    error(res, 0)
  end
end

local function check_opts(fname, opts, allowed)
  if type(opts) ~= "table" then fail(fname, "expected a table of options, got %s", type(opts)) end
  local unknown, why = optcheck.unknown(opts, allowed)
  if not unknown then fail(fname, "%s (known: %s)", why, table.concat(allowed, ", ")) end
  if #unknown > 0 then
    fail(fname, "unknown option%s %s (known: %s)", #unknown > 1 and "s" or "", table.concat(unknown, ", "),
      table.concat(allowed, ", "))
  end
end

local function options(list)
  table.sort(list)
  return list
end

local LINE_KEYS = options { "title", "xlabel", "ylabel", "series", "logy", "ymin", "ymax", "markers", "width",
  "height", "file", "background", "marks" }
local BAR_KEYS = options { "title", "xlabel", "ylabel", "labels", "values", "series", "logy", "width", "height",
  "file" }
local IMAGES_KEYS = options { "images", "cols", "labels", "title", "scale", "normalize", "cmap", "shape", "file" }
local HEATMAP_KEYS = options { "data", "title", "xlabel", "ylabel", "cmap", "collabels", "rowlabels", "width",
  "height", "file" }
local GRID_KEYS = options { "charts", "cols", "title", "file" }
local MONITOR_KEYS = options { "title", "file" }
-- Text takes every chart option (the SVG-only ones are ignored), so one
-- table can go to plot.line and to plot.show.
local TEXT_KEYS = options { "title", "xlabel", "ylabel", "series", "logy", "ymin", "ymax", "markers", "width",
  "height", "file", "background", "marks", "color", "images", "cols", "labels", "scale", "normalize", "cmap", "shape",
  "data",
  "collabels", "rowlabels" }

---------------------------------------------------------------------------
-- Option values
---------------------------------------------------------------------------

-- Tensors (and anything else with :totable()) become plain tables.  The
-- lookup is protected because userdata without __index raise on indexing.
local function tolist(v)
  local kind = type(v)
  if kind ~= "table" and kind ~= "userdata" then return v end
  local ok, f = pcall(function() return v.totable end)
  if ok and type(f) == "function" then return f(v) end
  return v
end

local function opt_text(fname, opts, key)
  local v = opts[key]
  if v == nil then return nil end
  if type(v) ~= "string" and type(v) ~= "number" then fail(fname, "%s must be a string, got %s", key, type(v)) end
  return tostring(v)
end

local function opt_bool(fname, opts, key)
  local v = opts[key]
  if v ~= nil and type(v) ~= "boolean" then fail(fname, "%s must be true or false, got %s", key, type(v)) end
  return v == true
end

local function opt_number(fname, opts, key, default, least)
  local v = opts[key]
  if v == nil then return default end
  if type(v) ~= "number" or v ~= v or v == huge or v == -huge then
    fail(fname, "%s must be a finite number, got %s", key, tostring(v))
  end
  if least and v < least then fail(fname, "%s must be at least %s, got %s", key, tostring(least), tostring(v)) end
  check_magnitude(fname, key, v)
  return v
end

local function opt_count(fname, opts, key, default)
  local v = opt_number(fname, opts, key, default, 1)
  if v ~= floor(v) then fail(fname, "%s must be a whole number, got %s", key, tostring(v)) end
  return floor(v)
end

local function opt_choice(fname, opts, key, default, choices)
  local v = opts[key]
  if v == nil then return default end
  for _, c in ipairs(choices) do
    if v == c then return v end
  end
  local names = {}
  for i, c in ipairs(choices) do names[i] = type(c) == "string" and fmt("%q", c) or tostring(c) end
  fail(fname, "%s must be one of %s, got %s", key, table.concat(names, ", "), tostring(v))
end

-- More values than any chart can show: a bound that keeps a hostile `n`
-- (or __len) from running a loop for hours.
local MAX_VALUES = 1 << 24


-- Length of an array that may hold nil gaps: its `n` field if set, else
-- the largest integer key (the result does not depend on the table's
-- order; raw, so no metamethod runs).
local function count(fname, t)
  local n = rawget(t, "n")
  if n ~= nil and math.type(n) ~= "integer" then
    fail(fname, "an array's n field must be its length (an integer), got %s", tostring(n))
  end
  if n == nil then
    n = rawlen(t)
    local k = next(t)
    while k ~= nil do
      if math.type(k) == "integer" and k > n then n = k end
      k = next(t, k)
    end
  end
  if n < 0 or n > MAX_VALUES then fail(fname, "an array of %s values is not plottable (at most %d)", n, MAX_VALUES) end
  return n
end

local function opt_strings(fname, opts, key, n)
  local list = tolist(opts[key])
  if list == nil then return nil end
  if type(list) ~= "table" then fail(fname, "%s must be an array of strings, got %s", key, type(list)) end
  local m = count(fname, list)
  if n and m ~= n then fail(fname, "%s has %d entries but there are %d", key, m, n) end
  local out = {}
  for i = 1, m do
    local v = list[i]
    if type(v) ~= "string" and type(v) ~= "number" then
      fail(fname, "%s[%d] must be a string, got %s", key, i, type(v))
    end
    out[i] = tostring(v)
  end
  return out
end

-- Numbers with gaps as NaN.  `what` names the array in error messages.
local function values(fname, what, list, logy)
  list = tolist(list)
  if type(list) ~= "table" then fail(fname, "%s must be an array of numbers, got %s", what, type(list)) end
  local n, out, finite = count(fname, list), {}, 0
  for j = 1, n do
    local v = list[j]
    if v ~= nil and type(v) ~= "number" then
      fail(fname, "%s[%d] is a %s, expected a number (nil or 0/0 for a gap)", what, j, type(v))
    end
    if v ~= nil then check_magnitude(fname, fmt("%s[%d]", what, j), v) end
    if v == nil or v ~= v or v == huge or v == -huge or (logy and v <= 0) then
      out[j] = NaN
    else
      out[j], finite = v + 0.0, finite + 1
    end
  end
  return out, n, finite
end

local function xvalues(fname, i, x, n)
  local xs, m, finite = values(fname, fmt("series %d: x", i), x, false)
  if m ~= n then fail(fname, "series %d: x has %d values but y has %d", i, m, n) end
  if finite ~= n then fail(fname, "series %d: x values must all be finite numbers", i) end
  return xs
end

-- A series table's keys are checked like options: a misspelt name or x
-- would otherwise vanish from the chart without a word.
local function series_keys(fname, i, s, valid)
  if type(s) ~= "table" then fail(fname, "series %d must be a table, got %s", i, type(s)) end
  local unknown, why = optcheck.unknown(s, valid)
  if not unknown then fail(fname, "series %d: %s (known: %s)", i, why, table.concat(valid, ", ")) end
  if #unknown > 0 then
    fail(fname, "series %d: unknown key%s %s (known: %s)", i, #unknown > 1 and "s" or "", table.concat(unknown, ", "),
      table.concat(valid, ", "))
  end
end

local function one_series(fname, i, s, logy)
  series_keys(fname, i, s, { "name", "x", "y" })
  if s.y == nil then fail(fname, "series %d has no y values", i) end
  local y, n, finite = values(fname, fmt("series %d: y", i), s.y, logy)
  if n == 0 then fail(fname, "series %d has no y values", i) end
  local x = {}
  if s.x ~= nil then x = xvalues(fname, i, s.x, n) else for j = 1, n do x[j] = j end end
  local name = opt_text(fname, s, "name")
  return { name = name, y = y, x = x, n = n, finite = finite }
end

-- A legend is only worth drawing when it tells series apart or names one.
local function name_series(list)
  local named = #list > 1
  for i, s in ipairs(list) do
    named = named or s.name ~= nil
    s.name = s.name or fmt("series %d", i)
  end
  return named
end

local function line_series(fname, opts, logy)
  local list = tolist(opts.series)
  if type(list) ~= "table" or #list == 0 then fail(fname, "series must be a non-empty array of series tables") end
  local out, finite = {}, 0
  for i = 1, #list do
    out[i] = one_series(fname, i, list[i], logy)
    finite = finite + out[i].finite
  end
  if finite == 0 then
    fail(fname, "nothing to plot: %s", logy and "no positive y values for the log scale" or "every y value is a gap")
  end
  return out
end

local function y_range(fname, opts, logy)
  local ymin, ymax = opt_number(fname, opts, "ymin"), opt_number(fname, opts, "ymax")
  if logy and ymin and ymin <= 0 then fail(fname, "ymin must be positive with logy, got %s", tostring(ymin)) end
  if logy and ymax and ymax <= 0 then fail(fname, "ymax must be positive with logy, got %s", tostring(ymax)) end
  if ymin and ymax and ymin >= ymax then fail(fname, "ymin (%s) must be below ymax (%s)", ymin, ymax) end
  return ymin, ymax
end

local function check_size(fname, spec, size)
  if spec.width < size[3] or spec.height < size[4] then
    fail(fname, "width x height must be at least %d x %d", size[3], size[4])
  end
  if spec.width > size[5] or spec.height > size[6] then
    fail(fname, "width x height must be at most %d x %d", size[5], size[6])
  end
end

-- marks = {{x = 0, label = "before training"}, ...}: labelled vertical lines.
local function marks(fname, list)
  if list == nil then return {} end
  list = tolist(list)
  if type(list) ~= "table" then fail(fname, "marks must be an array of {x =, label =} tables") end
  local out = {}
  for i = 1, count(fname, list) do
    local m = list[i]
    series_keys(fname, i, m, { "x", "label" })
    if type(m.x) ~= "number" or m.x ~= m.x or m.x == huge or m.x == -huge then
      fail(fname, "marks[%d].x must be a finite number", i)
    end
    check_magnitude(fname, fmt("marks[%d].x", i), m.x)
    out[i] = { x = m.x + 0.0, label = opt_text(fname, m, "label") }
  end
  return out
end

local function line_spec(fname, opts, size)
  local logy = opt_bool(fname, opts, "logy")
  local spec = { title = opt_text(fname, opts, "title"), xlabel = opt_text(fname, opts, "xlabel"),
    ylabel = opt_text(fname, opts, "ylabel"), logy = logy, markers = opt_bool(fname, opts, "markers"),
    series = line_series(fname, opts, logy),
    width = opt_count(fname, opts, "width", size[1]), height = opt_count(fname, opts, "height", size[2]) }
  check_size(fname, spec, size)
  spec.ymin, spec.ymax = y_range(fname, opts, logy)
  spec.legend = name_series(spec.series)
  spec.background = {}
  if opts.background ~= nil then
    local list = tolist(opts.background)
    if type(list) ~= "table" then fail(fname, "background must be an array of series tables") end
    for i = 1, #list do spec.background[i] = one_series(fname .. " background", i, list[i], logy) end
  end
  spec.marks = marks(fname, opts.marks)
  return spec
end

---------------------------------------------------------------------------
-- Writing files
---------------------------------------------------------------------------

local function save(fname, doc, path)
  if type(doc) ~= "string" then fail(fname, "svg must be a string, got %s", type(doc)) end
  if type(path) ~= "string" or path == "" then fail(fname, "path must be a non-empty string") end
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then fail(fname, "cannot write %s (does its directory exist?): %s", path, err) end
  local ok, werr = f:write(doc)
  f:close()
  if not ok then
    os.remove(tmp)
    fail(fname, "cannot write %s: %s", path, werr)
  end
  local renamed, rerr = os.rename(tmp, path)
  if not renamed then
    os.remove(tmp)
    fail(fname, "cannot move %s into place: %s", tmp, rerr)
  end
  return path
end

local function finish(fname, opts, doc)
  if opts.file ~= nil then save(fname, doc, opts.file) end
  return doc
end

---------------------------------------------------------------------------
-- Colour maps
---------------------------------------------------------------------------

local function lerp(a, b, t) return floor(a + (b - a) * t + 0.5) end

-- Piecewise-linear map through evenly spaced colour stops.
local function through(stops)
  return function(t)
    local k = min(#stops - 1, floor(t * (#stops - 1)) + 1)
    local u = t * (#stops - 1) - (k - 1)
    local a, b = stops[k], stops[k + 1]
    return lerp(a[1], b[1], u), lerp(a[2], b[2], u), lerp(a[3], b[3], u)
  end
end

local CMAPS = {
  gray = through { { 255, 255, 255 }, { 0, 0, 0 } },
  -- Pure white at zero so that zero weights vanish into the page.
  diverging = through { { 33, 102, 172 }, { 255, 255, 255 }, { 178, 24, 43 } },
  viridis = through { { 68, 1, 84 }, { 59, 82, 139 }, { 33, 145, 140 }, { 94, 201, 98 }, { 253, 231, 37 } },
}
local CMAP_NAMES = { "gray", "diverging", "viridis" }

local function colour_table(rgb)
  local out = {}
  for k = 0, svg.LEVELS do out[k] = fmt("#%02x%02x%02x", rgb(k / svg.LEVELS)) end
  return out
end

---------------------------------------------------------------------------
-- Matrices (images and heatmaps)
---------------------------------------------------------------------------

local function reshape(fname, what, flat, shape)
  local n, rows, cols = #flat
  if shape then
    shape = tolist(shape)
    if type(shape) ~= "table" or math.type(shape[1]) ~= "integer" or math.type(shape[2]) ~= "integer" then
      fail(fname, "shape must be {rows, cols} with whole numbers")
    end
    rows, cols = shape[1], shape[2]
  else
    rows = floor(sqrt(n) + 0.5)
    cols = rows
  end
  if rows * cols ~= n then
    fail(fname, "%s is 1-D with %d values, which is not %s; pass shape = {rows, cols}", what, n,
      shape and fmt("%d x %d", rows, cols) or "a square")
  end
  local m = {}
  for r = 1, rows do
    m[r] = {}
    for c = 1, cols do m[r][c] = flat[(r - 1) * cols + c] end
  end
  return m
end

local function matrix_rows(fname, what, m)
  local rows, cols = {}, nil
  for r = 1, #m do
    local row = tolist(m[r])
    if type(row) ~= "table" then fail(fname, "%s: row %d is a %s, expected an array", what, r, type(row)) end
    cols = cols or #row
    if #row == 0 then fail(fname, "%s: row %d is empty", what, r) end
    if #row ~= cols then fail(fname, "%s: row %d has %d values, expected %d", what, r, #row, cols) end
    rows[r] = row
  end
  return rows, cols
end

-- A 2-D array (or, for images, a flat array plus shape) checked to be
-- rectangular and numeric; NaN and infinities become missing pixels.
local function matrix(fname, what, m, flat_ok, shape)
  m = tolist(m)
  if type(m) ~= "table" or #m == 0 then fail(fname, "%s must be a non-empty 2-D array", what) end
  if type(tolist(m[1])) ~= "table" then
    if not flat_ok then fail(fname, "%s must be a 2-D array (an array of rows)", what) end
    m = reshape(fname, what, m, shape)
  end
  local rows, cols = matrix_rows(fname, what, m)
  local v = {}
  for r = 1, #rows do
    v[r] = {}
    for c = 1, cols do
      local x = rows[r][c]
      if type(x) ~= "number" then fail(fname, "%s: value at row %d, column %d is a %s", what, r, c, type(x)) end
      check_magnitude(fname, fmt("%s: value at row %d, column %d", what, r, c), x)
      v[r][c] = (x ~= x or x == huge or x == -huge) and NaN or x
    end
  end
  return { rows = #rows, cols = cols, v = v }
end

local function finite_range(mats)
  local lo, hi = huge, -huge
  for _, m in ipairs(mats) do
    for r = 1, m.rows do
      for c = 1, m.cols do
        local x = m.v[r][c]
        if x == x then lo, hi = min(lo, x), max(hi, x) end
      end
    end
  end
  if lo > hi then return 0, 0 end
  return lo, hi
end

-- Map values to t in 0..1 for the colour map; a diverging map keeps 0 at
-- 0.5 so that white always means zero.
local function unit_mapper(lo, hi, diverging)
  if diverging then
    local m = max(math.abs(lo), math.abs(hi))
    return function(x) return m == 0 and 0.5 or min(1, max(0, 0.5 + x / (2 * m))) end
  end
  return function(x) return hi == lo and 0 or min(1, max(0, (x - lo) / (hi - lo))) end
end

local function to_unit(m, lo, hi, diverging)
  local f, t = unit_mapper(lo, hi, diverging), {}
  for r = 1, m.rows do
    t[r] = {}
    for c = 1, m.cols do
      local x = m.v[r][c]
      t[r][c] = x == x and f(x) or NaN
    end
  end
  m.t = t
  return m
end

local function normalise(mats, mode, diverging)
  local lo, hi = finite_range(mats)
  if mode == false then lo, hi = diverging and -1 or 0, 1 end
  for _, m in ipairs(mats) do
    if mode == "each" then lo, hi = finite_range({ m }) end
    to_unit(m, lo, hi, diverging)
  end
  return lo, hi
end

---------------------------------------------------------------------------
-- Specs shared by the SVG and terminal backends
---------------------------------------------------------------------------

local function cmap_spec(spec, name)
  spec.rgb = CMAPS[name]
  spec.colours = colour_table(spec.rgb)
  spec.diverging = name == "diverging"
  return spec
end

-- A 4-D tensor (convolution weights: maps, input channels, k, k) is its
-- maps x channels k x k images; a 3-D one is a list of 2-D images.
local function image_list(v)
  if type(v) == "userdata" then
    local ok, dim = pcall(function() return v:dim() end)
    if ok and dim == 4 then
      local s = v:shape()
      return v:reshape(s[1] * s[2], s[3], s[4]):totable()
    end
  end
  return tolist(v)
end

local function images_spec(fname, opts)
  local list = image_list(opts.images)
  if type(list) ~= "table" or #list == 0 then fail(fname, "images must be a non-empty array of images") end
  local cmap = opt_choice(fname, opts, "cmap", "gray", CMAP_NAMES)
  local mode = opt_choice(fname, opts, "normalize", "each", { "each", "all", false })
  local mats, size = {}, 1
  for i = 1, #list do
    mats[i] = matrix(fname, fmt("image %d", i), list[i], true, opts.shape)
    size = max(size, mats[i].rows, mats[i].cols)
  end
  normalise(mats, mode, cmap == "diverging")
  local spec = { title = opt_text(fname, opts, "title"), images = mats,
    labels = opt_strings(fname, opts, "labels", #mats),
    cols = min(#mats, opt_count(fname, opts, "cols", ceil(sqrt(#mats)))),
    scale = opt_number(fname, opts, "scale", max(1, floor(112 / size))) }
  if spec.scale <= 0 or spec.scale > 1000 then
    fail(fname, "scale must be in (0, 1000], got %s", tostring(spec.scale))
  end
  return cmap_spec(spec, cmap)
end

local function bar_labels(lo, hi, diverging)
  local g = function(v) local s = fmt("%.3g", v); return s == "-0" and "0" or s end
  if diverging then
    local m = max(math.abs(lo), math.abs(hi))
    return { { at = 0, label = g(-m) }, { at = 0.5, label = "0" }, { at = 1, label = g(m) } }
  end
  return { { at = 0, label = g(lo) }, { at = 1, label = g(hi) } }
end

local function heatmap_spec(fname, opts, size)
  local cmap = opt_choice(fname, opts, "cmap", "viridis", CMAP_NAMES)
  local data = matrix(fname, "data", opts.data, false)
  local lo, hi = normalise({ data }, "all", cmap == "diverging")
  local spec = { title = opt_text(fname, opts, "title"), xlabel = opt_text(fname, opts, "xlabel"),
    ylabel = opt_text(fname, opts, "ylabel"), data = data, bar_labels = bar_labels(lo, hi, cmap == "diverging"),
    collabels = opt_strings(fname, opts, "collabels", data.cols),
    rowlabels = opt_strings(fname, opts, "rowlabels", data.rows),
    width = opt_count(fname, opts, "width", size[1]), height = opt_count(fname, opts, "height", size[2]) }
  check_size(fname, spec, size)
  return cmap_spec(spec, cmap)
end

local function bar_series(fname, opts, logy, n)
  if (opts.values == nil) == (opts.series == nil) then fail(fname, "give either values or series (not both)") end
  local list = opts.series and tolist(opts.series) or { { values = opts.values } }
  if type(list) ~= "table" or #list == 0 then fail(fname, "series must be a non-empty array of series tables") end
  local out = {}
  for i = 1, #list do
    local s = list[i]
    series_keys(fname, i, s, { "name", "values" })
    local what = opts.series and fmt("series %d: values", i) or "values"
    if s.values == nil then fail(fname, "%s missing", what) end
    local v, m = values(fname, what, s.values, logy)
    if m == 0 then fail(fname, "%s is empty", what) end
    if n and m ~= n then fail(fname, "%s has %d entries but labels has %d", what, m, n) end
    n = m
    out[i] = { name = opt_text(fname, s, "name"), values = v }
  end
  return out, n
end

local function bar_spec(fname, opts)
  local logy = opt_bool(fname, opts, "logy")
  local labels = opt_strings(fname, opts, "labels")
  local series, n = bar_series(fname, opts, logy, labels and #labels)
  if not labels then
    labels = {}
    for i = 1, n do labels[i] = tostring(i) end
  end
  local spec = { title = opt_text(fname, opts, "title"), xlabel = opt_text(fname, opts, "xlabel"),
    ylabel = opt_text(fname, opts, "ylabel"), logy = logy, labels = labels, series = series,
    width = opt_count(fname, opts, "width", SVG_SIZE[1]), height = opt_count(fname, opts, "height", SVG_SIZE[2]) }
  check_size(fname, spec, SVG_SIZE)
  spec.legend = name_series(series)
  local any = false
  for _, s in ipairs(series) do
    for i = 1, n do any = any or s.values[i] == s.values[i] end
  end
  if not any then fail(fname, logy and "nothing to plot: no positive values for the log scale" or "nothing to plot") end
  return spec
end

---------------------------------------------------------------------------
-- Public functions
---------------------------------------------------------------------------

local function line_impl(fname, opts)
  check_opts(fname, opts, LINE_KEYS)
  return finish(fname, opts, svg.line(line_spec(fname, opts, SVG_SIZE)))
end

local function bar_impl(fname, opts)
  check_opts(fname, opts, BAR_KEYS)
  return finish(fname, opts, svg.bar(bar_spec(fname, opts)))
end

local function images_impl(fname, opts)
  check_opts(fname, opts, IMAGES_KEYS)
  return finish(fname, opts, svg.images(images_spec(fname, opts)))
end

local function heatmap_impl(fname, opts)
  check_opts(fname, opts, HEATMAP_KEYS)
  return finish(fname, opts, svg.heatmap(heatmap_spec(fname, opts, SVG_SIZE)))
end

local function grid_impl(fname, opts)
  check_opts(fname, opts, GRID_KEYS)
  local list = opts.charts
  if type(list) ~= "table" or #list == 0 then fail(fname, "charts must be a non-empty array of SVG strings") end
  local charts = {}
  for i = 1, #list do
    if type(list[i]) ~= "string" then fail(fname, "chart %d must be an SVG string, got %s", i, type(list[i])) end
    local w, h = svg.size(list[i])
    if not w or not h then fail(fname, "chart %d is not an SVG document with width and height", i) end
    charts[i] = { doc = list[i], w = w, h = h }
  end
  local spec = { charts = charts, title = opt_text(fname, opts, "title"),
    cols = min(#charts, opt_count(fname, opts, "cols", ceil(sqrt(#charts)))) }
  return finish(fname, opts, svg.grid(spec))
end

-- History arrays: absent ones are skipped, present ones must be numeric.
local function history_series(fname, history, list, scale)
  local out = {}
  for _, item in ipairs(list) do
    local key, name = item[1], item[2]
    if history[key] ~= nil then
      local v, n = values(fname, "history." .. key, history[key], false)
      for i = 1, n do v[i] = v[i] * scale end
      if n > 0 then out[#out + 1] = { name = name, y = v } end
    end
  end
  return out
end

local PANEL = { width = 480, height = 320 }

-- Markers only while there are few enough epochs to tell them apart.
-- Epoch 0 (measured before the first epoch) gets a "before training" mark.
local function panel(fname, title, ylabel, series, logy)
  local x = series[1].x
  local before = x ~= nil and x[1] == 0 and { { x = 0, label = "before training" } } or nil
  local spec = line_spec(fname, { title = title, xlabel = "epoch", ylabel = ylabel, series = series, logy = logy,
    width = PANEL.width, height = PANEL.height, marks = before }, SVG_SIZE)
  spec.markers = spec.series[1].n <= 30
  return svg.line(spec)
end

-- One series per layer with a non-empty array; a layer keeps its number
-- even when the ones before it were not recorded.
local function layer_series(fname, key, layers, x)
  layers = tolist(layers)
  if type(layers) ~= "table" then fail(fname, "history.gradient_norms.%s must be an array of arrays", key) end
  local series = {}
  for i = 1, #layers do
    local y = tolist(layers[i])
    if type(y) ~= "table" then fail(fname, "history.gradient_norms.%s[%d] must be an array", key, i) end
    if count(fname, y) > 0 then series[#series + 1] = { name = fmt("layer %d", i), y = y, x = x } end
  end
  return series
end

local function gradient_panels(fname, history, charts)
  local g = history.gradient_norms
  if g == nil then return end
  if type(g) ~= "table" then fail(fname, "history.gradient_norms must be a table") end
  for _, key in ipairs { "bias", "weight" } do
    local series = g[key] ~= nil and layer_series(fname, key, g[key], g.epoch and tolist(g.epoch)) or {}
    if #series > 0 then
      charts[#charts + 1] = panel(fname, "Speed of learning", key == "bias" and "‖∂C/∂b‖" or "‖∂C/∂w‖", series,
        true)
    end
  end
end

-- A minimiser's history (lunet.minimize's: cost and grad_norm per iterate,
-- the first at x0): each against iterations, on a log scale when all its
-- values are positive (a cost may end below 0).
local function minimizer_panels(fname, history, charts)
  if history.cost == nil or history.grad_norm == nil then return end
  for _, p in ipairs { { "cost", "Cost", "cost" }, { "grad_norm", "Gradient norm", "‖∇f‖" } } do
    local y, n, finite = values(fname, "history." .. p[1], history[p[1]], false)
    local positive = finite > 0
    for i = 1, n do positive = positive and (y[i] ~= y[i] or y[i] > 0) end
    local x = {}
    for i = 1, n do x[i] = i - 1 end
    if finite > 0 then
      local spec = line_spec(fname, { title = p[2], xlabel = "iteration", ylabel = p[3], logy = positive,
        series = { { y = y, x = x } }, width = PANEL.width, height = PANEL.height }, SVG_SIZE)
      spec.markers = n <= 30
      charts[#charts + 1] = svg.line(spec)
    end
  end
end

local function monitor_impl(fname, history, opts)
  if type(history) ~= "table" then fail(fname, "history must be a table, got %s", type(history)) end
  opts = opts or {}
  check_opts(fname, opts, MONITOR_KEYS)
  local charts = {}
  local cost = history_series(fname, history, { { "training_cost", "training" }, { "evaluation_cost", "evaluation" } },
    1)
  if #cost > 0 then charts[#charts + 1] = panel(fname, "Cost", "cost", cost) end
  local acc = history_series(fname, history,
    { { "training_accuracy", "training" }, { "evaluation_accuracy", "evaluation" } }, 100)
  if #acc > 0 then charts[#charts + 1] = panel(fname, "Accuracy", "accuracy (%)", acc) end
  gradient_panels(fname, history, charts)
  minimizer_panels(fname, history, charts)
  if #charts == 0 then
    fail(fname, "history has none of training_cost, evaluation_cost, training_accuracy, evaluation_accuracy, "
      .. "gradient_norms, nor a minimiser's cost and grad_norm")
  end
  return grid_impl(fname, { charts = charts, cols = min(2, #charts), title = opt_text(fname, opts, "title"),
    file = opts.file })
end

local function text_impl(fname, opts)
  check_opts(fname, opts, TEXT_KEYS)
  local color = opt_bool(fname, opts, "color")
  local spec
  if opts.images ~= nil then
    spec = images_spec(fname, opts)
    local cols = opt_count(fname, opts, "cols", max(1, 80 // (spec.images[1].cols + 2)))
    spec.cols = min(#spec.images, cols)
    spec.color = color
    return term.images(spec)
  elseif opts.data ~= nil then
    spec = heatmap_spec(fname, opts, TEXT_SIZE)
    spec.color = color
    return term.heatmap(spec)
  end
  spec = line_spec(fname, opts, TEXT_SIZE)
  spec.color = color
  return term.line(spec)
end

--- plot.line(opts) -> svg
-- A line chart as an SVG document (a string); with `file` also written there.
-- opts: series = {{name =, x =, y =}...}, title, xlabel, ylabel, logy = false,
-- ymin, ymax, markers = false, marks = {{x =, label =}...} (labelled dashed
-- vertical lines), background, width = 720, height = 450, file.
-- y values are Lua arrays or tensors; x defaults to 1..#y. nil, NaN and inf
-- are gaps. Unknown options are errors. Details at the top of lunet/plot.lua.
plot.line = public("lunet.plot.line", line_impl)
--- plot.bar(opts) -> svg
-- A bar chart as an SVG document. opts: labels, values or series = {{name =,
-- values =}...} (grouped bars), title, xlabel, ylabel, logy, width, height, file.
plot.bar = public("lunet.plot.bar", bar_impl)
--- plot.images(opts) -> svg
-- A grid of small images (2-d arrays, tensors, or flat rows reshaped to
-- `shape`, e.g. the rows of a 30x784 weight matrix). opts: images = {img...},
-- cols, labels, title, scale, normalize = "each" ("all", false), cmap =
-- "gray" ("diverging" for weights, "viridis"), shape, file.
plot.images = public("lunet.plot.images", images_impl)
--- plot.heatmap(opts) -> svg
-- A matrix (opts.data, 2-d) as coloured square cells with a colour bar.
-- opts: data, title, xlabel, ylabel, cmap = "viridis", collabels, rowlabels,
-- width, height, file.
plot.heatmap = public("lunet.plot.heatmap", heatmap_impl)
--- plot.grid{charts = {svg...}, cols =, title =, file =} -> svg
-- Several SVG charts (strings from the other functions) in one document.
plot.grid = public("lunet.plot.grid", grid_impl)
--- plot.monitor(history [, {title =, file =}]) -> svg
-- A training history (lunet.train.sgd's) in one grid: cost, accuracy (drawn in
-- percent from the history's fractions) and, when recorded, the speed of
-- learning of each layer on a log scale. A minimiser's history
-- (lunet.minimize's, or optim.minimize's) gives cost and gradient norm
-- against iterations, log scales where the values are positive.
plot.monitor = public("lunet.plot.monitor", monitor_impl)
--- plot.save(svg, path) -> path
-- Writes an SVG string to `path` atomically (a temporary, then a rename); an
-- error with the OS message when it cannot.
plot.save = public("lunet.plot.save", save)
-- plot.show's shorthands: a tensor (1-D: a line of its values; 2-D: a
-- heatmap; 3-D or 4-D: its images), a plain list of numbers ({1, 4, 9}),
-- or one series' fields at the top (y =, x =, name =).
local function shorthand(v)
  if type(v) == "userdata" then
    local ok, dim = pcall(function() return v:dim() end)
    if ok and dim == 1 then return { series = { { y = v } } } end
    if ok and dim == 2 then return { data = v } end
    if ok and (dim == 3 or dim == 4) then return { images = v } end
    return v
  end
  if type(v) ~= "table" then return v end
  if rawlen(v) > 0 and type(rawget(v, 1)) == "number" and next(v, rawlen(v) > 0 and rawlen(v) or nil) == nil then
    return { series = { { y = v } } }
  end
  if rawget(v, "y") ~= nil and rawget(v, "series") == nil then
    local o = {}
    for k, x in next, v do
      if k ~= "y" and k ~= "x" and k ~= "name" then o[k] = x end
    end
    o.series = { { y = rawget(v, "y"), x = rawget(v, "x"), name = rawget(v, "name") } }
    return o
  end
  return v
end

-- Does the terminal take colours? Not when NO_COLOR is set (no-color.org),
-- TERM is dumb or standard output is not a terminal (a file, a pipe).
local function colour_terminal()
  local nc = os.getenv("NO_COLOR")
  if (nc ~= nil and nc ~= "") or os.getenv("TERM") == "dumb" or os.getenv("TERM") == nil then return false end
  return os.execute("[ -t 1 ]") == true
end

--- plot.terminal_columns() -> integer
-- Columns of the terminal: COLUMNS, else the terminal's own size (stty
-- asks it on standard input, tput through terminfo), else 80.
local function terminal_columns()
  local n = tonumber(os.getenv("COLUMNS") or "")
  if n and n >= 1 then return floor(n) end
  for _, cmd in ipairs { "stty size 2>/dev/null", "tput cols 2>/dev/null" } do
    local p = io.popen(cmd)
    if p then
      local out = p:read("a") or ""
      p:close()
      n = tonumber(out:match("(%d+)%s*$"))
      if n and n >= 1 then return n end
    end
  end
  return 80
end
plot.terminal_columns = terminal_columns

local function show_impl(fname, opts)
  opts = shorthand(opts)
  if type(opts) ~= "table" then
    fail(fname, "expected a table of options, a list of numbers or a tensor, got %s", type(opts))
  end
  local o = {}
  for k, v in next, opts do o[k] = v end   -- raw, as every option walk
  if o.color == nil then o.color = colour_terminal() end
  if o.width == nil and o.images == nil then
    -- the y labels and the border take about 12 columns
    o.width = max(TEXT_SIZE[3], min(TEXT_SIZE[5], terminal_columns() - 12))
    if o.data ~= nil then o.width = min(o.width, TEXT_SIZE[1]) end
  end
  io.write(text_impl(fname, o))
end

--- plot.text(opts) -> string
-- A chart for the terminal: images (as plot.images), a heatmap (`data`) or a
-- line chart (plot.line's options) in braille dots, width x height characters
-- (default 60 x 15); color = true adds ANSI colours.
plot.text = public("lunet.plot.text", text_impl)
--- plot.show(x)
-- Prints a terminal chart: x is plot.text's options, a tensor (1-D: a line;
-- 2-D: a heatmap; 3-D or 4-D: images), a list of numbers ({1, 4, 9}) or one
-- series' fields ({y =, x =, name =}). Colours on a colour terminal (not with
-- NO_COLOR, TERM=dumb or when output is not a terminal); the width follows
-- the terminal's (COLUMNS, stty, tput).
plot.show = public("lunet.plot.show", show_impl)

return plot
