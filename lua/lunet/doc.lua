-- lunet.doc: the docstrings behind help() and the reference manual.
--
-- A public Lua function is documented by the comment block right above its
-- definition: a first line "--- signature", then "-- description" lines.
-- Reading the block from the source at lookup time keeps the text next to
-- the code and needs no registration call in every module. Functions and
-- tables without a Lua source (the C core, modules, classes) are documented
-- by name in the tables of lunet/doc/*.lua, entries "signature\ndescription".
--
-- What is public: every function and table reachable from `lunet` by fields
-- whose names are Lua identifiers not starting with "_" (lunet.data and
-- lunet.plot included, though they load on first use), plus the classes a
-- public constructor keeps in an upvalue (network3's network class, the
-- layer classes) and their methods. A value reachable under several names
-- (lunet.matmul and t:matmul) is one function with one docstring; its first
-- name, breadth first, is the one shown.

local M = {}

-- files under lunet/doc/ holding entries by public name
local TABLES = { "lunet.doc.core", "lunet.doc.tensor", "lunet.doc.linalg", "lunet.doc.modules", "lunet.doc.objects" }

local by_name        -- public name -> "signature\ndescription", loaded once
local index          -- { names = value -> {name...}, list = {{name, value}...} }

local twice         -- names with entries in two files: the first file wins

local function load_tables()
  if by_name then return by_name end
  by_name, twice = {}, {}
  for _, mod in ipairs(TABLES) do
    local t = require(mod)
    local keys = {}
    for k in pairs(t) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      if by_name[k] then twice[#twice + 1] = k .. " (again in " .. mod .. ")" else by_name[k] = t[k] end
    end
  end
  return by_name
end

--- doc.duplicates() -> {string...}
-- The names documented in two of the lunet/doc/*.lua files (the first in
-- TABLES order is used); the docs spec fails on any.
function M.duplicates()
  load_tables()
  return { table.unpack(twice) }
end

local function public_key(k)
  return type(k) == "string" and k:match("^[%a][%w_]*$") ~= nil
end

local function last(name)
  return name:match("([^.:]+)$")
end

-- Fields of a table to walk: its own, and for a layer class the methods
-- kept in its _class table.
local function fields(t)
  local out = {}
  for _, src in ipairs { t, type(rawget(t, "_class")) == "table" and rawget(t, "_class") or nil } do
    for k, v in next, src do
      if public_key(k) and (type(v) == "function" or type(v) == "table") then out[#out + 1] = { k, v } end
    end
  end
  -- functions and modules (lower case) before classes, so lunet.linalg.solve
  -- is named before its alias lunet.Tensor.solve
  local function key(k) return (k:match("^%u") and "1" or "0") .. k end
  table.sort(out, function(a, b) return key(a[1]) < key(b[1]) end)
  return out
end

-- Breadth first from `lunet`, so the shortest name comes first; then the
-- classes found in the upvalues of named functions, walked the same way.
local function build_index()
  if index then return index end
  local lunet = require "lunet"
  local _ = lunet.data and lunet.plot   -- loaded on first use
  local names, list = {}, {}
  local queue, i = {}, 1
  local function add(v, name)
    if names[v] == nil then
      names[v] = {}
      list[#list + 1] = { name = name, value = v }
      if type(v) == "table" then queue[#queue + 1] = { v, name } end
    end
    table.insert(names[v], name)
  end
  local function drain()
    while queue[i] do
      local t, prefix = queue[i][1], queue[i][2]
      i = i + 1
      for _, kv in ipairs(fields(t)) do add(kv[2], prefix .. "." .. kv[1]) end
    end
  end
  names[lunet] = { "lunet" }
  list[1] = { name = "lunet", value = lunet }
  queue[1] = { lunet, "lunet" }
  drain()
  local j = 1
  while list[j] do
    local e = list[j]
    j = j + 1
    if type(e.value) == "function" then
      for u = 1, math.huge do
        local uname, v = debug.getupvalue(e.value, u)
        if not uname then break end
        if type(v) == "table" and names[v] == nil and type(rawget(v, "__name")) == "string" then
          add(v, e.name:match("^(.*)%.[^.]+$") .. "." .. last(rawget(v, "__name")))
          drain()
        end
      end
    end
  end
  table.sort(list, function(a, b) return a.name < b.name end)
  index = { names = names, list = list }
  return index
end

--- doc.name_of(x) -> string or nil
-- The public name under which `x` is reachable from `lunet` ("lunet.zeros");
-- the shortest one when there are several.
function M.name_of(x)
  local n = build_index().names[x]
  return n and n[1]
end

--- doc.names_of(x) -> {string...} or nil
-- Every public name of `x`, shortest first (lunet.matmul, lunet.Tensor.matmul).
function M.names_of(x)
  local n = build_index().names[x]
  return n and { table.unpack(n) }
end

local cache = {}   -- path -> lines

local function source_lines(path)
  if cache[path] == nil then
    local f = io.open(path, "r")
    local lines = false
    if f then
      lines = {}
      for l in f:lines() do lines[#lines + 1] = l end
      f:close()
    end
    cache[path] = lines
  end
  return cache[path] or nil
end

-- The "--- signature" block right above line `line`.
local function block_above(lines, line)
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

local function escape(s)
  return (s:gsub("%p", "%%%0"))
end

-- Does source line `l` define or assign the name `key`?
local function defines(l, key)
  local k = escape(key)
  return l:match("^%s*function%s+[%w_.:]*[.:]" .. k .. "%s*%(") or l:match("^%s*function%s+" .. k .. "%s*%(")
    or l:match("^%s*local%s+function%s+" .. k .. "%s*%(") or l:match("[.:]" .. k .. "%s*=[^=]")
    or l:match("^%s*" .. k .. "%s*=[^=]") or l:match("^%s*local%s+" .. k .. "%s*=[^=]")
end

-- The comment above a Lua function's definition, or, for a function made
-- by a wrapper (plot's public functions), above the line that gives it
-- one of its public names in the same file.
local function from_source(f, names)
  local info = debug.getinfo(f, "S")
  if info.source:sub(1, 1) ~= "@" or info.linedefined <= 0 then return nil end
  local lines = source_lines(info.source:sub(2))
  if not lines or not lines[info.linedefined] then return nil end
  local keys = {}
  for _, n in ipairs(names or {}) do keys[#keys + 1] = last(n) end
  local at = lines[info.linedefined]
  for _, k in ipairs(keys) do
    if defines(at, k) or #keys == 0 then return block_above(lines, info.linedefined) end
  end
  for _, k in ipairs(keys) do
    for n, l in ipairs(lines) do
      if defines(l, k) then
        local b = block_above(lines, n)
        if b then return b end
      end
    end
  end
  return block_above(lines, info.linedefined)
end

local function split(entry)
  local sig, text = entry:match("^([^\n]*)\n?(.*)$")
  return sig, text
end

-- The class of an object that has no public name itself: a tensor's is
-- lunet.Tensor, a model's or layer's its metatable when that is public.
local function class_of(x, idx)
  local lunet = require "lunet"
  if lunet.is_tensor(x) then return lunet.Tensor end
  local mt = getmetatable(x)
  if type(mt) == "table" and idx.names[mt] then return mt end
  -- a C object (a network, an optimizer): its class is its methods table
  local methods = type(mt) == "table" and rawget(mt, "__index")
  if type(methods) == "table" and idx.names[methods] then return methods end
end

--- doc.get(x) -> {name =, names =, signature =, text =} or nil
-- The docstring of a public function or table: a Lua function's comment
-- block, else the entry under any of its names in lunet/doc/*.lua. A class
-- without an entry of its own takes its constructor's (same name); an
-- object (a tensor, a network, a layer) takes its class's.
function M.get(x)
  local idx = build_index()
  local names = idx.names[x]
  if not names and (type(x) == "function" or type(x) == "table") then
    index = nil   -- added since the walk (a method put on lunet.Tensor)?
    idx = build_index()
    names = idx.names[x]
  end
  if not names then
    local class = class_of(x, idx)
    if class then return M.get(class) end
  end
  local tables = load_tables()
  -- a Lua function's own comment first (a Lua wrapper may replace a C
  -- function that has an entry), then the entries by name
  local entry = type(x) == "function" and from_source(x, names) or nil
  for _, n in ipairs(names or {}) do
    entry = entry or tables[n]
  end
  if not entry and type(x) == "table" and names then
    for _, e in ipairs(idx.list) do
      if e.name == names[1] and type(e.value) == "function" then
        local d = M.get(e.value)
        entry = d and (d.signature .. "\n" .. d.text)
      end
    end
  end
  if not entry then return nil end
  local sig, text = split(entry)
  return { name = names and names[1], names = names, signature = sig, text = text }
end

--- doc.public() -> {{name =, value =, names =}...}
-- Every public function and table of lunet (see the top of lunet/doc.lua),
-- sorted by name; `names` lists the other names of the same value. Walks
-- the tables again, so it is what they hold now.
function M.public()
  index = nil
  local out = {}
  for _, e in ipairs(build_index().list) do
    out[#out + 1] = { name = e.name, value = e.value, names = M.names_of(e.value) }
  end
  return out
end

--- doc.find(name) -> {string...}
-- The public names that `name` designates, one per value (its first name):
-- itself, "lunet." .. name, or else every name ending in that component
-- ("reshape", "t:reshape" and "Tensor.reshape" find lunet.Tensor.reshape;
-- "t:solve" finds lunet.linalg.solve, of which t:solve is another name).
function M.find(name)
  local idx, out, seen = build_index(), {}, {}
  local key = name:gsub("^%a+:", "")
  for _, e in ipairs(idx.list) do
    for _, n in ipairs(idx.names[e.value]) do
      if n == name or n == "lunet." .. name then return { e.name } end
      if n:sub(-#key - 1) == "." .. key and not seen[e.value] then
        seen[e.value] = true
        out[#out + 1] = e.name
      end
    end
  end
  table.sort(out)
  return out
end

-- The modules: tables reachable from lunet that hold functions and are
-- not classes (no metatable of their own making them callable).
local function modules()
  local lunet = require "lunet"
  local _ = lunet.data and lunet.plot
  local mods = {}
  for _, kv in ipairs(fields(lunet)) do
    if type(kv[2]) == "table" then mods[#mods + 1] = "lunet." .. kv[1] end
  end
  return mods
end

-- The value of a public name ("lunet.nn.Linear": the constructor rather
-- than the class of the same name).
local function value_of(name)
  local found
  for _, e in ipairs(build_index().list) do
    if e.name == name and (found == nil or type(e.value) == "function") then found = e.value end
  end
  return found
end

--- doc.help([x])
-- Prints the signature and description of `x` (any public function, class,
-- module, method or object, e.g. help(lunet.zeros), help(t.reshape),
-- help(net)); a string is a name to look up (help "reshape", as doc.find);
-- without an argument, lists the modules of lunet. help(nil) (what a
-- misspelt name such as help(lunet.Netwrok) passes) says so.
function M.help(...)
  local x = ...
  if select("#", ...) == 0 then
    print("lunet modules and classes: " .. table.concat(modules(), ", "))
    print("help(x) describes any public function, class or method, e.g. help(lunet.zeros),")
    print("help(lunet.Tensor.reshape), help(net.SGD), help \"reshape\"; help(lunet.nn) lists a module.")
    return
  end
  if x == nil then
    print("help: got nil, so there is nothing by that name (is it spelt right?); "
      .. "help() lists the modules, help \"name\" searches the names")
    return
  end
  if type(x) == "string" then
    local found = M.find(x)
    if #found == 1 then return M.help(value_of(found[1])) end
    if #found == 0 then
      print(("no public name matches %q"):format(x))
    else
      print(("%q names several: %s"):format(x, table.concat(found, ", ")))
    end
    return
  end
  local d = M.get(x)
  if not d then
    local n = M.name_of(x)
    print(("no documentation for this %s%s"):format(type(x), n and " (" .. n .. ")" or ""))
    return
  end
  print(d.signature)
  if d.text ~= "" then print(d.text) end
  -- a class or module lists its members; an object (a network, an optimizer) its class's
  local class = type(x) == "table" and d.name and d.name == M.name_of(x) and x
    or type(x) ~= "function" and type(x) ~= "table" and d.name and value_of(d.name)
  if type(class) == "table" then
    local members = {}
    for _, kv in ipairs(fields(class)) do members[#members + 1] = kv[1] end
    if #members > 0 then print("members: " .. table.concat(members, ", ")) end
  end
end

return M
