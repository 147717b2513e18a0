-- lunet.checkpoint: the trainer's own state as text inside a checkpoint
-- file (the C core writes the file: network, optimizer state, random
-- stream, and this text; see csrc/checkpoint.h).
--
-- The text is one line per value, "path value", where path is a dotted
-- list of keys (identifiers, or integers for list positions) and value is
--   t:            a table (written before its contents, so empty ones survive)
--   i:<integer>   n:<number as %a, inf, -inf or nan>   b:true / b:false
--   s:<string with \\ and \n escaped>
-- Numbers are written in hexadecimal floating point, so every value comes
-- back bit for bit. Reading never runs the text as code.

local checkpoint = {}

local function fail(msg, ...)
  error("checkpoint: " .. msg:format(...), 0)
end

local function number_text(v)
  if math.type(v) == "integer" then return "i:" .. string.format("%d", v) end
  if v ~= v then return "n:nan" end
  if v == math.huge then return "n:inf" end
  if v == -math.huge then return "n:-inf" end
  return "n:" .. string.format("%a", v)
end

local function value_text(v)
  local t = type(v)
  if t == "number" then return number_text(v) end
  if t == "boolean" then return "b:" .. tostring(v) end
  if t == "string" then return "s:" .. v:gsub("\\", "\\\\"):gsub("\n", "\\n") end
  return nil
end

local function key_text(k)
  if math.type(k) == "integer" and k >= 0 then return string.format("%d", k) end
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return k end
  return nil
end

local function write(out, path, v, seen)
  if type(v) == "table" then
    if seen[v] then fail("%s refers back to a table that contains it", path) end
    seen[v] = true
    out[#out + 1] = path .. " t:"
    local keys = {}
    for k in next, v do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) then return a < b end
      return type(a) == "number"
    end)
    for _, k in ipairs(keys) do
      local kt = key_text(k)
      if not kt then fail("key %s of %s cannot be saved", tostring(k), path) end
      write(out, path .. "." .. kt, rawget(v, k), seen)
    end
    seen[v] = nil
  else
    local text = value_text(v)
    if not text then fail("%s is a %s, which cannot be saved", path, type(v)) end
    out[#out + 1] = path .. " " .. text
  end
end

-- The text for a table of plain values (numbers, strings, booleans, tables of them).
function checkpoint.encode(root)
  local out = {}
  write(out, "root", root, {})
  return table.concat(out, "\n") .. "\n"
end

local function parse_value(text, line)
  local kind, rest = text:match("^(%a):(.*)$")
  if kind == "t" and rest == "" then return {} end
  if kind == "i" then
    local v = math.tointeger(tonumber(rest))
    if v and rest:match("^%-?%d+$") then return v end
  elseif kind == "n" then
    if rest == "nan" then return 0 / 0 end
    if rest == "inf" then return math.huge end
    if rest == "-inf" then return -math.huge end
    if rest:match("^%-?0x[%x.]+p[%+%-]?%d+$") then return tonumber(rest) end   -- a float (a p exponent), -0 kept
  elseif kind == "b" and (rest == "true" or rest == "false") then
    return rest == "true"
  elseif kind == "s" then
    local ok = true
    local s = rest:gsub("\\(.)", function(c)
      if c == "n" then return "\n" end
      if c == "\\" then return "\\" end
      ok = false
    end)
    if ok then return s end
  end
  fail("line %d: bad value '%s'", line, text)
end

-- The table encode was given, or an error naming the bad line.
function checkpoint.decode(text)
  local root, line = nil, 0
  for l in text:gmatch("([^\n]*)\n") do
    line = line + 1
    local path, value = l:match("^(%S+) (.*)$")
    if not path then fail("line %d is not 'path value'", line) end
    local v = parse_value(value, line)
    local keys = {}
    for k in path:gmatch("[^.]+") do keys[#keys + 1] = math.tointeger(tonumber(k)) or k end
    if keys[1] ~= "root" then fail("line %d: path must start at root", line) end
    if #keys == 1 then
      if type(v) ~= "table" or root then fail("line %d: root must be one table", line) end
      root = v
    else
      local t = root
      for i = 2, #keys - 1 do
        t = type(t) == "table" and rawget(t, keys[i]) or nil
      end
      if type(t) ~= "table" then fail("line %d: %s has no parent table", line, path) end
      rawset(t, keys[#keys], v)
    end
  end
  if #text > 0 and text:sub(-1) ~= "\n" then fail("the text does not end with a line break") end
  if not root then fail("no data") end
  return root
end

return checkpoint
