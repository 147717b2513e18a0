-- lunet.doc: the docstrings behind help() and the reference manual.
--
-- A public Lua function is documented by the comment block right above its
-- definition: a first line "--- signature", then "-- description" lines.
-- Reading the block from the source at lookup time keeps the text next to
-- the code and needs no registration call in every module. Functions and
-- tables without a Lua source (the C core, modules, classes) are documented
-- by name in the tables of lunet/doc/*.lua, entries "signature\ndescription".

local M = {}

-- files under lunet/doc/ holding entries by public name
local TABLES = { "lunet.doc.core" }

local by_name        -- public name -> "signature\ndescription", loaded once
local names          -- value -> public name, built once from the lunet tree

local function load_tables()
  if by_name then return by_name end
  by_name = {}
  for _, mod in ipairs(TABLES) do
    local ok, t = pcall(require, mod)
    if ok and type(t) == "table" then
      for k, v in pairs(t) do by_name[k] = v end
    end
  end
  return by_name
end

-- Walks the public tables breadth first so the shortest name wins.
local function build_names()
  if names then return names end
  names = {}
  local lunet = require "lunet"
  local queue = { { lunet, "lunet" } }
  local seen = { [lunet] = true }
  local i = 1
  while queue[i] do
    local t, prefix = queue[i][1], queue[i][2]
    i = i + 1
    local keys = {}
    for k in pairs(t) do
      if type(k) == "string" and k:sub(1, 1) ~= "_" then keys[#keys + 1] = k end
    end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local v, name = rawget(t, k), prefix .. "." .. k
      if (type(v) == "function" or type(v) == "table") and names[v] == nil then
        names[v] = name
      end
      if type(v) == "table" and not seen[v] then
        seen[v] = true
        queue[#queue + 1] = { v, name }
      end
    end
  end
  return names
end

--- doc.name_of(x) -> string or nil
-- The public name under which `x` is reachable from `lunet` ("lunet.zeros").
function M.name_of(x)
  return build_names()[x]
end

-- The "--- signature" block above line `line` of a Lua source file.
local function block_above(path, line)
  local f = io.open(path, "r")
  if not f then return nil end
  local lines = {}
  for l in f:lines() do
    lines[#lines + 1] = l
    if #lines >= line then break end
  end
  f:close()
  local body = {}
  for i = line - 1, 1, -1 do
    local l = lines[i]
    local sig = l:match("^%s*%-%-%-%s?(.*)$")
    if sig then
      table.insert(body, 1, sig)
      return table.concat(body, "\n")
    end
    local text = l:match("^%s*%-%-%s?(.*)$")
    if not text then return nil end
    table.insert(body, 1, text)
  end
  return nil
end

local function split(entry)
  local sig, text = entry:match("^([^\n]*)\n?(.*)$")
  return sig, text
end

--- doc.get(x) -> {name =, signature =, text =} or nil
-- The docstring of a public function or table, from its source comment or
-- from the tables in lunet/doc/.
function M.get(x)
  local name = M.name_of(x)
  local entry = name and load_tables()[name]
  if not entry and type(x) == "function" then
    local info = debug.getinfo(x, "S")
    if info.source:sub(1, 1) == "@" and info.linedefined > 0 then
      entry = block_above(info.source:sub(2), info.linedefined)
    end
  end
  if not entry then return nil end
  local sig, text = split(entry)
  return { name = name, signature = sig, text = text }
end

--- doc.help(x)
-- Prints the signature and description of `x`; without an argument, lists
-- the modules of lunet.
function M.help(x, ...)
  if select("#", ...) == 0 and x == nil then
    local lunet = require "lunet"
    local mods = {}
    for k, v in pairs(lunet) do
      if type(v) == "table" then mods[#mods + 1] = "lunet." .. k end
    end
    for _, k in ipairs { "data", "plot" } do mods[#mods + 1] = "lunet." .. k end
    table.sort(mods)
    print("lunet modules: " .. table.concat(mods, ", "))
    print("help(x) describes any public function, class or method.")
    return
  end
  local d = M.get(x)
  if not d then
    print(("no documentation for this %s"):format(type(x)))
    return
  end
  print(d.signature)
  if d.text ~= "" then print(d.text) end
end

return M
