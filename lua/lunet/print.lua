-- lunet.print: how a tensor looks at the prompt.
--
-- Torch's layout: an aligned grid, one format for the whole tensor (%.4f,
-- or %.4e when magnitudes call for it, or integers when every value is
-- one), a footer such as "[Tensor float32 2x3]". Big tensors are summarised
-- with "..." keeping EDGE elements at each end of every dimension, so the
-- prompt is never flooded; only the shown elements are read.

local M = {}

local EDGE = 3          -- elements kept at each end of a summarised dimension
local THRESHOLD = 1000  -- more elements than this and we summarise
local LINE_WIDTH = 80

-- Indices to show along a dimension of size n; false marks the "...".
local function shown(n, summarise)
  local idx = {}
  if summarise and n > 2 * EDGE then
    for i = 1, EDGE do idx[#idx + 1] = i end
    idx[#idx + 1] = false
    for i = n - EDGE + 1, n do idx[#idx + 1] = i end
  else
    for i = 1, n do idx[i] = i end
  end
  return idx
end

local function is_int(v)
  return v == math.floor(v) and math.abs(v) < 1e9
end

local function special(v)
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
end

-- One format for all shown values.
local function formatter(values)
  local maxabs, minabs, ints = 0, math.huge, true
  for _, v in ipairs(values) do
    if not special(v) then
      local a = math.abs(v)
      maxabs = math.max(maxabs, a)
      if a > 0 then minabs = math.min(minabs, a) end
      ints = ints and is_int(v)
    end
  end
  local fmt
  if ints then fmt = "%.0f"
  elseif maxabs >= 1e5 or minabs < 1e-4 then fmt = "%.4e"
  else fmt = "%.4f" end
  local width = 1
  local function text(v)
    return special(v) or string.format(fmt, v)
  end
  for _, v in ipairs(values) do width = math.max(width, #text(v)) end
  return function(v)
    if v == nil then return string.rep(" ", width - 3) .. "..." end
    local s = text(v)
    return string.rep(" ", width - #s) .. s
  end, width
end

-- Every shown element of t, in the order the grid prints them.
local function collect(t, dims, prefix, out)
  local d = #prefix + 1
  for _, i in ipairs(dims[d]) do
    if i then
      prefix[d] = i
      if d == #dims then out[#out + 1] = t[prefix]
      else collect(t, dims, prefix, out) end
      prefix[d] = nil
    end
  end
  return out
end

-- Rows of a 2-d slice (rows x cols), columns split into chunks that fit.
-- The "..." column of a summarised row is as wide as the numbers unless
-- the row would not fit in a line that way: then it is 3 characters, so
-- 3 + "..." + 3 values of %.4e stay on one line (a 1-d gradient had
-- printed as "Columns 1 to 23859", five values, then "Columns 23860 to 23860").
local function matrix_lines(get, rows, cols, fmt, width, lines)
  local ellipsis, whole = math.max(width, 3), 1
  for c = 1, #cols do whole = whole + 1 + (cols[c] and width or ellipsis) end
  if whole > LINE_WIDTH then ellipsis = 3 end
  local function cell_width(c) return cols[c] and width or ellipsis end
  local first = 1
  while first <= #cols do
    local last, used = first, 1 + cell_width(first)
    while last < #cols and used + 1 + cell_width(last + 1) <= LINE_WIDTH - 1 do
      last = last + 1
      used = used + 1 + cell_width(last)
    end
    if first > 1 or last < #cols then
      local a, b = cols[first] or "...", cols[last] or "..."
      lines[#lines + 1] = string.format("Columns %s to %s", a, b)
    end
    for _, r in ipairs(rows) do
      local cells = {}
      for c = first, last do
        cells[#cells + 1] = not cols[c] and ("%" .. ellipsis .. "s"):format("...") or r and fmt(get(r, cols[c]))
          or fmt(nil)
      end
      lines[#lines + 1] = " " .. table.concat(cells, " ")
    end
    if last < #cols then lines[#lines + 1] = "" end
    first = last + 1
  end
end

-- Leading indices of the 2-d slices of an N-d tensor, e.g. {1, 2}.
local function slices(dims, upto, prefix, out)
  local d = #prefix + 1
  if d > upto then
    out[#out + 1] = { table.unpack(prefix) }
    return out
  end
  for _, i in ipairs(dims[d]) do
    prefix[d] = i
    slices(dims, upto, prefix, out)
    prefix[d] = nil
  end
  return out
end

local function body(t)
  local shape = t:shape()
  local n = #shape
  if n == 0 then return { " " .. formatter({ t:flat(1) })(t:flat(1)) } end
  local summarise = t:numel() > THRESHOLD
  local dims = {}
  for d = 1, n do dims[d] = shown(shape[d], summarise) end
  local fmt, width = formatter(collect(t, dims, {}, {}))
  local lines = {}
  if n == 1 then
    matrix_lines(function(_, c) return t[c] end, { 1 }, dims[1], fmt, width, lines)
    return lines
  end
  for _, lead in ipairs(slices(dims, n - 2, {}, {})) do
    local complete = true
    for _, i in ipairs(lead) do complete = complete and i end
    if n > 2 and complete then
      local parts = {}
      for _, i in ipairs(lead) do parts[#parts + 1] = i and tostring(i) or "..." end
      lines[#lines + 1] = "(" .. table.concat(parts, ",") .. ",.,.) ="
    end
    if complete then
      local idx = { table.unpack(lead) }
      local function get(r, c)
        idx[n - 1], idx[n] = r, c
        return t[idx]
      end
      matrix_lines(get, dims[n - 1], dims[n], fmt, width, lines)
    else
      lines[#lines + 1] = "..."
    end
    if n > 2 then lines[#lines + 1] = "" end
  end
  return lines
end

function M.footer(t)
  local shape = t:shape()
  local dims = #shape == 0 and "scalar" or table.concat(shape, "x")
  return string.format("[Tensor %s %s]", t:dtype(), dims)
end

function M.tostring(t)
  if t:is_closed() then return "[Tensor (closed)]" end
  local lines = t:numel() == 0 and {} or body(t)
  lines[#lines + 1] = M.footer(t)
  return table.concat(lines, "\n")
end

return M
