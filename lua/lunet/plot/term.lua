-- lunet.plot.term: the terminal backend of lunet.plot.
--
-- Line charts are drawn with Unicode braille characters (each character
-- cell holds 2x4 dots), images and heatmaps with shade characters.  Like
-- the SVG backend it receives specs that lunet.plot already validated and
-- normalised (gaps are NaN, pixels mapped to 0..1).  ANSI colour is only
-- emitted when spec.color is true, so the default output is plain text
-- that tests can compare exactly.

local M = {}

local fmt, concat, rep = string.format, table.concat, string.rep
local floor, max, min, abs = math.floor, math.max, math.min, math.abs

local function log10(v) return math.log(v, 10) end

-- Series symbols: ASCII so that their width is never ambiguous.
local SYMBOLS = { "*", "o", "+", "x", "#", "@", "%", "&" }
-- ANSI colours in the order of the SVG palette (blue, vermillion, green,
-- purple, orange, sky blue, black -> default colour, yellow).
local ANSI = { 34, 31, 32, 35, 33, 36, 39, 93 }
local RESET = "\27[0m"

local function colored(s, code, on)
  if not on then return s end
  return fmt("\27[%dm%s%s", code, s, RESET)
end

local function width_of(s) return utf8.len(s) or #s end

local function pad_left(s, w) return rep(" ", w - width_of(s)) .. s end

local function clean(s)
  if s:match("^%-[0.]+$") then s = s:sub(2) end
  return s
end

-- Labels of an axis from lo to hi get one decimal more than the range's
-- order of magnitude needs, so they differ where the rows differ and do
-- not show noise beyond that.
local function labeler(lo, hi)
  local range = max(abs(hi - lo), 1e-300)
  local d = max(0, 1 - floor(log10(range)))
  if d > 6 or max(abs(lo), abs(hi)) >= 1e6 then
    return function(v) return clean(fmt("%.3g", v)) end
  end
  return function(v) return clean(fmt("%." .. d .. "f", v)) end
end

---------------------------------------------------------------------------
-- Braille canvas
---------------------------------------------------------------------------

-- Bit of the dot at column dx (0..1) and row dy (0..3) inside a cell.
local DOT = { [0] = { 0x01, 0x02, 0x04, 0x40 }, [1] = { 0x08, 0x10, 0x20, 0x80 } }

local function canvas(w, h)
  return { w = w, h = h, bits = {}, owner = {}, mark = {} }
end

local function dot(c, px, py, s)
  if px < 0 or py < 0 or px >= 2 * c.w or py >= 4 * c.h then return end
  local i = (py // 4) * c.w + px // 2 + 1
  c.bits[i] = (c.bits[i] or 0) | DOT[px % 2][py % 4 + 1]
  c.owner[i] = s
end

-- Bresenham between two dot positions.
local function segment(c, x0, y0, x1, y1, s)
  local dx, dy = abs(x1 - x0), -abs(y1 - y0)
  local sx, sy = x0 < x1 and 1 or -1, y0 < y1 and 1 or -1
  local err = dx + dy
  while true do
    dot(c, x0, y0, s)
    if x0 == x1 and y0 == y1 then return end
    local e2 = 2 * err
    if e2 >= dy then err, x0 = err + dy, x0 + sx end
    if e2 <= dx then err, y0 = err + dx, y0 + sy end
  end
end

-- Character of cell i and the ANSI colour of the series that owns it.
local function cell_char(c, i)
  local s = c.mark[i]
  if s then return SYMBOLS[(s - 1) % #SYMBOLS + 1], ANSI[(s - 1) % #ANSI + 1] end
  local bits = c.bits[i]
  if not bits then return " " end
  return utf8.char(0x2800 + bits), ANSI[(c.owner[i] - 1) % #ANSI + 1]
end

-- Escapes only where the colour changes keep coloured output small.
local function canvas_row(c, row, color)
  local out, current = {}, nil
  for col = 1, c.w do
    local ch, code = cell_char(c, (row - 1) * c.w + col)
    if color and code and code ~= current then
      out[#out + 1] = fmt("\27[%dm", code)
      current = code
    end
    out[#out + 1] = ch
  end
  local line = concat(out):gsub(" +$", "")
  return current and line .. RESET or line
end

---------------------------------------------------------------------------
-- Line charts
---------------------------------------------------------------------------

local function pad(v) return max(1, abs(v) * 0.1) end

-- Data ranges in drawing space (log10 of y on a log scale); a flat range is
-- widened so that a constant series still sits in the middle.
local function ranges(spec)
  local ty = spec.logy and log10 or function(v) return v end
  local xlo, xhi, ylo, yhi = math.huge, -math.huge, math.huge, -math.huge
  for _, s in ipairs(spec.series) do
    for i = 1, s.n do
      if s.y[i] == s.y[i] then
        xlo, xhi = min(xlo, s.x[i]), max(xhi, s.x[i])
        ylo, yhi = min(ylo, ty(s.y[i])), max(yhi, ty(s.y[i]))
      end
    end
  end
  if spec.ymin then ylo = ty(spec.ymin) end
  if spec.ymax then yhi = ty(spec.ymax) end
  -- The widening is relative for large values: 1e300 + 1 is 1e300, and a
  -- zero range would put every dot at NaN.
  if xhi - xlo == 0 then xlo, xhi = xlo - pad(xlo), xhi + pad(xhi) end
  if yhi - ylo == 0 and not (spec.ymin or spec.ymax) then
    ylo, yhi = ylo - pad(ylo), yhi + pad(yhi)
  elseif yhi <= ylo then
    -- A fixed end at or beyond all the data: the free end moves past it.
    if spec.ymin then yhi = ylo + pad(ylo) else ylo = yhi - pad(yhi) end
  end
  return { xlo = xlo, xhi = xhi, ylo = ylo, yhi = yhi, ty = ty }
end

local function draw(c, spec, r)
  local W, H = 2 * c.w - 1, 4 * c.h - 1
  for si, s in ipairs(spec.series) do
    local prev, last
    for i = 1, s.n do
      if s.y[i] == s.y[i] then
        local px = floor((s.x[i] - r.xlo) / (r.xhi - r.xlo) * W + 0.5)
        local py = floor((r.yhi - r.ty(s.y[i])) / (r.yhi - r.ylo) * H + 0.5)
        if prev then segment(c, prev[1], prev[2], px, py, si) else dot(c, px, py, si) end
        prev, last = { px, py }, { px, py }
      else
        prev = nil
      end
    end
    -- The symbol at the end of each line ties it to its legend entry.
    if spec.legend and last and last[2] >= 0 and last[2] <= H then
      c.mark[(last[2] // 4) * c.w + last[1] // 2 + 1] = si
    end
  end
end

-- Labels for the top, middle and bottom rows; the middle one is the value
-- at the centre of its row, so it is exact rather than rounded to a row.
local function y_labels(r, h)
  local label
  if r.ty == log10 then
    label = function(v) return clean(fmt("%.3g", 10 ^ v)) end
  else
    label = labeler(r.ylo, r.yhi)
  end
  local labels = { [1] = label(r.yhi), [h] = label(r.ylo) }
  if h >= 3 then
    local row = (h - 1) // 2 + 1
    local at = ((row - 1) * 4 + 1.5) / (4 * h - 1)
    labels[row] = label(r.yhi - at * (r.yhi - r.ylo))
  end
  return labels
end

local function header(lines, spec)
  if spec.title then lines[#lines + 1] = spec.title end
  if spec.ylabel then lines[#lines + 1] = spec.ylabel end
end

local function plot_rows(lines, c, labels, gutter, color)
  for row = 1, c.h do
    local label = labels[row]
    local axis = label and pad_left(label, gutter) .. " ┤" or rep(" ", gutter) .. " │"
    lines[#lines + 1] = (axis .. canvas_row(c, row, color)):gsub(" +$", "")
  end
end

local function footer(lines, spec, r, gutter, w)
  local indent = rep(" ", gutter + 2)
  lines[#lines + 1] = rep(" ", gutter) .. " └" .. rep("─", w)
  -- Whole x ends (epochs, steps) print without decimals.
  local xlabel = labeler(r.xlo, r.xhi)
  if r.xlo == floor(r.xlo) and r.xhi == floor(r.xhi) and max(abs(r.xlo), abs(r.xhi)) < 1e15 then
    xlabel = function(v) return fmt("%.0f", v) end
  end
  local a, b = xlabel(r.xlo), xlabel(r.xhi)
  local gap = w - width_of(a) - width_of(b)
  lines[#lines + 1] = indent .. a .. (gap >= 1 and rep(" ", gap) or " .. ") .. b
  if spec.xlabel then
    lines[#lines + 1] = indent .. rep(" ", max(0, (w - width_of(spec.xlabel)) // 2)) .. spec.xlabel
  end
  if spec.legend then
    local items = {}
    for i, s in ipairs(spec.series) do
      items[i] = colored(SYMBOLS[(i - 1) % #SYMBOLS + 1], ANSI[(i - 1) % #ANSI + 1], spec.color) .. " " .. s.name
    end
    lines[#lines + 1] = indent .. concat(items, "   ")
  end
end

function M.line(spec)
  local r = ranges(spec)
  local c = canvas(spec.width, spec.height)
  draw(c, spec, r)
  local labels = y_labels(r, c.h)
  local gutter = 0
  for row = 1, c.h do if labels[row] then gutter = max(gutter, width_of(labels[row])) end end
  local lines = {}
  header(lines, spec)
  plot_rows(lines, c, labels, gutter, spec.color)
  footer(lines, spec, r, gutter, c.w)
  return concat(lines, "\n") .. "\n"
end

---------------------------------------------------------------------------
-- Images and heatmaps
---------------------------------------------------------------------------

local SHADES = { " ", "░", "▒", "▓", "█" }
-- Diverging maps in plain text: the sign needs its own glyphs, so negative
-- values use ASCII of increasing density and positive ones the shades.
local NEGATIVE = { " ", ".", "-", "=", "#" }

local function mean(a, b)
  if a ~= a then return b end
  if b ~= b then return a end
  return (a + b) / 2
end

local function shade(t, diverging)
  if t ~= t then return " " end
  if not diverging then return SHADES[min(4, floor(t * 5)) + 1] end
  local s = 2 * t - 1
  local k = min(4, floor(abs(s) * 5)) + 1
  return s < 0 and NEGATIVE[k] or SHADES[k]
end

-- 24-bit colour escape for pixel t (layer 38 = foreground, 48 =
-- background); missing pixels get the terminal's default colour.
local function rgb_code(t, layer, rgb)
  if t ~= t then return fmt("\27[%dm", layer + 1) end
  local r, g, b = rgb(t)
  return fmt("\27[%d;2;%d;%d;%dm", layer, r, g, b)
end

-- With colour, an upper half block carries two pixels per character (the
-- foreground is the upper pixel, the background the lower one).
local function colour_line(up, down, n, rgb)
  local out, fg, bg = {}, nil, nil
  for c = 1, n do
    local f, b = rgb_code(up[c], 38, rgb), rgb_code(down and down[c] or 0 / 0, 48, rgb)
    if f ~= fg then out[#out + 1], fg = f, f end
    if b ~= bg then out[#out + 1], bg = b, b end
    out[#out + 1] = "▀"
  end
  return concat(out) .. RESET
end

-- Without colour each character shows the mean of its two pixels.
local function shade_line(up, down, n, diverging)
  local out = {}
  for c = 1, n do out[c] = shade(mean(up[c], down and down[c] or 0 / 0), diverging) end
  return concat(out)
end

-- One character per column and two pixel rows per line keeps the aspect
-- ratio close to square in common terminal fonts.
function M.image_lines(img, spec)
  local lines = {}
  for r = 1, img.rows, 2 do
    local up, down = img.t[r], img.t[r + 1]
    lines[#lines + 1] = spec.color and colour_line(up, down, img.cols, spec.rgb)
      or shade_line(up, down, img.cols, spec.diverging)
  end
  return lines
end

local function caption(label, w)
  label = tostring(label)
  if width_of(label) > w then
    label = label:sub(1, utf8.offset(label, w + 1) - 1)
  end
  local left = (w - width_of(label)) // 2
  return rep(" ", left) .. label .. rep(" ", w - width_of(label) - left)
end

-- A row of images side by side, each block padded to its own width.
local function image_row(lines, imgs, spec, first)
  local blocks, height = {}, 0
  for k, img in ipairs(imgs) do
    blocks[k] = M.image_lines(img, spec)
    height = max(height, #blocks[k])
  end
  for l = 1, height do
    local parts = {}
    for k, img in ipairs(imgs) do parts[k] = blocks[k][l] or rep(" ", img.cols) end
    lines[#lines + 1] = (concat(parts, "  "):gsub("%s+$", ""))
  end
  if spec.labels then
    local parts = {}
    for k, img in ipairs(imgs) do parts[k] = caption(spec.labels[first + k - 1], img.cols) end
    lines[#lines + 1] = (concat(parts, "  "):gsub("%s+$", ""))
  end
end

function M.images(spec)
  local lines = {}
  if spec.title then lines[1] = spec.title end
  local n = #spec.images
  for first = 1, n, spec.cols do
    local row = {}
    for i = first, min(n, first + spec.cols - 1) do row[#row + 1] = spec.images[i] end
    image_row(lines, row, spec, first)
  end
  return concat(lines, "\n") .. "\n"
end

-- Nearest-neighbour shrink so a large matrix fits in the character area.
local function shrink(img, cols, rows)
  if img.cols <= cols and img.rows <= rows then return img end
  local tc, tr = min(img.cols, cols), min(img.rows, rows)
  local t = {}
  for r = 1, tr do
    local src, row = img.t[floor((r - 0.5) * img.rows / tr) + 1], {}
    for c = 1, tc do row[c] = src[floor((c - 0.5) * img.cols / tc) + 1] end
    t[r] = row
  end
  return { rows = tr, cols = tc, t = t }
end

function M.heatmap(spec)
  local img = shrink(spec.data, spec.width, 2 * spec.height)
  local lines = {}
  header(lines, spec)
  for _, l in ipairs(M.image_lines(img, spec)) do lines[#lines + 1] = (l:gsub(" +$", "")) end
  local lo, hi = spec.bar_labels[1].label, spec.bar_labels[#spec.bar_labels].label
  if spec.color then
    lines[#lines + 1] = fmt("min %s .. max %s", lo, hi)
  elseif spec.diverging then
    lines[#lines + 1] = fmt("# = %s, blank = 0, █ = %s", lo, hi)
  else
    lines[#lines + 1] = fmt("blank = %s, █ = %s", lo, hi)
  end
  if img ~= spec.data then
    lines[#lines + 1] = fmt("(%d x %d shown as %d x %d)", spec.data.rows, spec.data.cols, img.rows, img.cols)
  end
  if spec.xlabel then lines[#lines + 1] = spec.xlabel end
  return concat(lines, "\n") .. "\n"
end

return M
