-- lunet.repr: how a value looks at the lunet prompt.
--
-- Anything with a __tostring (tensors, models, shapes) prints as it says.
-- A list of numbers prints as {1, 2, 3}; other tables as {key = value, ...}
-- with keys sorted, nested tables shortened and long ones cut, one entry a
-- line when the whole does not fit a line. Tables are walked raw (next,
-- rawget), so printing never runs an __index or __pairs.

local M = {}

-- Lua's globals as this module found them: a line typed at the prompt may
-- replace them (table = {...}, type = "relu") and values must still print.
local type, tostring, pcall, error, next, ipairs = type, tostring, pcall, error, next, ipairs
local rawget, rawlen, getmetatable = rawget, rawlen, getmetatable
local concat, sort, mathtype = table.concat, table.sort, math.type

local WIDTH = 78        -- a table that fits prints on one line
local MAX_ITEMS = 40    -- entries shown before "..."
local MAX_DEPTH = 3     -- nested tables deeper than this print as {...}

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__tostring") ~= nil
end

-- tostring(v), or nil and the error when its __tostring fails; a Ctrl-C
-- ("interrupted") raised inside goes on, so that it stops the printing.
local function try_tostring(v)
  local ok, s = pcall(tostring, v)
  if ok then return s end
  if type(s) == "string" and s:match("interrupted!?$") then error(s, 0) end
  return nil, s
end

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

local function key_text(k)
  if is_identifier(k) then return k end
  if type(k) == "string" then return "[" .. ("%q"):format(k) .. "]" end
  return "[" .. (try_tostring(k) or "<" .. type(k) .. ">") .. "]"
end

local RANK = { number = 1, string = 2 }

-- Keys in a stable order: numbers first (ascending), then strings, then
-- the rest by their text (each key's __tostring runs once).
local function sorted_keys(t)
  local keys, text = {}, {}
  for k in next, t do
    keys[#keys + 1] = k
    if not RANK[type(k)] then text[k] = key_text(k) end
  end
  sort(keys, function(a, b)
    local ra, rb = RANK[type(a)] or 3, RANK[type(b)] or 3
    if ra ~= rb then return ra < rb end
    if ra < 3 then return a < b end
    return text[a] < text[b]
  end)
  return keys
end

local scalar

-- Entries of t as strings: list part first (without keys), then the rest.
local function entries(t, depth, seen)
  local n, out = rawlen(t), {}
  for i = 1, n do
    if #out >= MAX_ITEMS then
      out[#out + 1] = ("... (%d entries)"):format(n)
      return out, true
    end
    out[#out + 1] = scalar(rawget(t, i), depth, seen)
  end
  for _, k in ipairs(sorted_keys(t)) do
    if not (mathtype(k) == "integer" and k >= 1 and k <= n) then
      if #out >= MAX_ITEMS then
        out[#out + 1] = "..."
        return out, true
      end
      out[#out + 1] = key_text(k) .. " = " .. scalar(rawget(t, k), depth, seen)
    end
  end
  return out, false
end

local function table_text(t, depth, seen)
  if seen[t] then return "{<cycle>}" end
  if depth > MAX_DEPTH then return next(t) == nil and "{}" or "{...}" end
  seen[t] = true
  local items = entries(t, depth, seen)
  seen[t] = nil
  if #items == 0 then return "{}" end
  return "{" .. concat(items, ", ") .. "}"
end

-- One value inside a table (strings quoted).
function scalar(v, depth, seen)
  local ty = type(v)
  if ty == "string" then return (("%q"):format(v):gsub("\\\n", "\\n")) end
  if ty == "table" and not has_tostring(v) then return table_text(v, depth + 1, seen) end
  if ty == "number" or ty == "boolean" or ty == "nil" then return tostring(v) end
  if ty == "function" then return "function" end
  local s = try_tostring(v) or ("<" .. ty .. ">")
  -- a multi-line value (a tensor) inside a table shows its first line only
  local first = s:match("^[^\n]*")
  if first ~= s then
    local last = s:match("([^\n]*)$")
    return last:match("^%[") and last or first .. " ..."
  end
  return s
end

--- repr.value(v) -> string
-- How the prompt shows a value: strings as they are, tables of numbers as
-- {1, 2, 3}, other tables as {key = value, ...} (one entry a line when long),
-- anything with a __tostring as it prints.
function M.value(v)
  local ty = type(v)
  if ty == "string" then return v end
  if ty ~= "table" or has_tostring(v) then
    local s, err = try_tostring(v)
    if s then return s end
    err = (type(err) == "string" or type(err) == "number") and err or "(error object is a " .. type(err) .. " value)"
    return "<" .. ty .. ": __tostring failed: " .. err .. ">"
  end
  local one = table_text(v, 1, {})
  if #one <= WIDTH then return one end
  local items = entries(v, 1, { [v] = true })
  local lines, line = { "{" }, nil
  for i, item in ipairs(items) do
    item = item .. (i < #items and "," or "")
    if #item > WIDTH - 2 then item = item:sub(1, WIDTH - 6) .. " ..." end
    -- a list fills its lines; keyed entries get a line each
    if line and rawlen(v) >= i and #line + 1 + #item <= WIDTH then
      line = line .. " " .. item
    else
      if line then lines[#lines + 1] = line end
      line = "  " .. item
    end
  end
  lines[#lines + 1] = line
  lines[#lines + 1] = "}"
  return concat(lines, "\n")
end

return M
