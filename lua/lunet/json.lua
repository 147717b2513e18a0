-- lunet.json: a small JSON decoder, enough to read the book's network2.py
-- files (objects, arrays, numbers, strings, true, false, null). Errors say
-- where the text went wrong. Hostile text gets such an error too: nesting
-- deeper than MAX_DEPTH (the decoder recurses per level) and numbers that
-- overflow to infinity are refused.

local errors = require "lunet.errors"
local json = {}

local MAX_DEPTH = 512

local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function fail(text, pos, what)
  local line = select(2, text:sub(1, pos):gsub("\n", "")) + 1
  error(("json: %s at line %d (byte %d)"):format(what, line, pos), 0)
end

local function skip(text, pos)
  return text:find("[^ \t\r\n]", pos) or #text + 1
end

local value

local function string_at(text, pos)
  local out, i = {}, pos + 1
  while true do
    local c = text:sub(i, i)
    if c == "" then fail(text, pos, "unterminated string") end
    if c == '"' then return table.concat(out), i + 1 end
    if c == "\\" then
      local e = text:sub(i + 1, i + 1)
      if e == "u" then
        local hex = text:match("^%x%x%x%x", i + 2)
        if not hex then fail(text, i, "bad \\u escape") end
        out[#out + 1] = utf8.char(tonumber(hex, 16))
        i = i + 6
      elseif ESCAPES[e] then
        out[#out + 1] = ESCAPES[e]
        i = i + 2
      else
        fail(text, i, "bad escape")
      end
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
end

local function number_at(text, pos)
  local s = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
  local v = s and tonumber(s)
  if not v then fail(text, pos, "bad number") end
  if v ~= v or v == math.huge or v == -math.huge then fail(text, pos, "number out of range") end
  return v, pos + #s
end

local function array_at(text, pos, depth)
  local out, n = {}, 0
  pos = skip(text, pos + 1)
  if text:sub(pos, pos) == "]" then return out, pos + 1 end
  while true do
    local v
    v, pos = value(text, pos, depth)
    n = n + 1
    out[n] = v
    pos = skip(text, pos)
    local c = text:sub(pos, pos)
    if c == "]" then return out, pos + 1 end
    if c ~= "," then fail(text, pos, "expected ',' or ']'") end
    pos = skip(text, pos + 1)
  end
end

local function object_at(text, pos, depth)
  local out = {}
  pos = skip(text, pos + 1)
  if text:sub(pos, pos) == "}" then return out, pos + 1 end
  while true do
    if text:sub(pos, pos) ~= '"' then fail(text, pos, "expected a key") end
    local key
    key, pos = string_at(text, pos)
    pos = skip(text, pos)
    if text:sub(pos, pos) ~= ":" then fail(text, pos, "expected ':'") end
    out[key], pos = value(text, skip(text, pos + 1), depth)
    pos = skip(text, pos)
    local c = text:sub(pos, pos)
    if c == "}" then return out, pos + 1 end
    if c ~= "," then fail(text, pos, "expected ',' or '}'") end
    pos = skip(text, pos + 1)
  end
end

local LITERALS = { ["true"] = true, ["false"] = false }

function value(text, pos, depth)
  pos = skip(text, pos)
  local c = text:sub(pos, pos)
  if c == "{" or c == "[" then
    if depth >= MAX_DEPTH then fail(text, pos, ("nesting deeper than %d levels"):format(MAX_DEPTH)) end
    if c == "{" then return object_at(text, pos, depth + 1) end
    return array_at(text, pos, depth + 1)
  end
  if c == '"' then return string_at(text, pos) end
  if c == "-" or c:match("%d") then return number_at(text, pos) end
  for word, v in pairs(LITERALS) do
    if text:sub(pos, pos + #word - 1) == word then return v, pos + #word end
  end
  if text:sub(pos, pos + 3) == "null" then return nil, pos + 4 end
  fail(text, pos, c == "" and "unexpected end" or "unexpected '" .. c .. "'")
end

function json.decode(text)
  local v, pos = value(text, 1, 0)
  pos = skip(text, pos)
  if pos <= #text then fail(text, pos, "trailing characters") end
  return v
end

-- decode_file(path): the value in a file. The file is read by the core,
-- which refuses anything but a regular file (a FIFO would block io.open);
-- errors name the path.
function json.decode_file(path)
  if type(path) ~= "string" then errors.raise("json.decode_file: path must be a string") end
  local ok, text = pcall(require("lunet.core").read_file, path)
  if not ok then error(text, 0) end
  local decoded, v = pcall(json.decode, text)
  if not decoded then error(("%s: %s"):format(path, v), 0) end
  return v
end

return json
