-- lunet.complete: tab completion of Lua names at the lunet prompt.
--
-- The word before the cursor is a global ("lun"), a path of fields
-- ("lunet.nn.Li") or a method call ("net:S", "t:resh"). Candidates are the
-- string keys of the table the path leads to, and for values with a
-- metatable the methods their class offers: the __index table and its own
-- chain, or, when __index is a function, the metatable itself and its
-- class table (_class), where lunet's classes keep their methods. Tensors
-- (userdata whose __index is C) complete with lunet.Tensor. Everything is
-- read raw (next, rawget): completing never runs an __index or __pairs.

local M = {}

local KEYWORDS = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
  "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}

-- Modules a table loads on first use: lunet.data and lunet.plot come from
-- lunet's __index, which completion does not call, so they are listed here
-- and loaded when a path goes through them.
local LAZY = { lunet = { "data", "plot" } }

local function is_name(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

-- Adds the identifier keys of table t (only function values when methods).
local function add_keys(t, methods, out)
  for k, v in next, t do
    if is_name(k) and (not methods or type(v) == "function") then out[k] = true end
  end
end

-- The tables a value's class keeps its fields in: the __index table, or
-- for an __index function the metatable and its _class, each followed up
-- its own chain of __index tables (Network -> Sequential -> Module).
local function class_tables(v)
  local out, seen = {}, {}
  local function add(t)
    while type(t) == "table" and not seen[t] and #out < 16 do
      seen[t] = true
      out[#out + 1] = t
      local m = getmetatable(t)
      t = type(m) == "table" and rawget(m, "__index") or nil
    end
  end
  local mt = getmetatable(v)
  local core = package.loaded["lunet.core"]
  if core and mt == core.tensor_metatable then return { core.Tensor } end
  if type(mt) ~= "table" then return out end
  local index = rawget(mt, "__index")
  if type(index) == "table" then
    add(index)
  elseif type(index) == "function" then
    add(mt)
    add(rawget(mt, "_class"))
  end
  return out
end

-- One field of v by raw lookups: v's own, then its classes'.
local function field(v, k, owner_name)
  if type(v) == "table" then
    local x = rawget(v, k)
    if x ~= nil then return x end
    for _, name in ipairs(LAZY[owner_name] or {}) do
      if name == k then
        local ok, m = pcall(require, owner_name .. "." .. k)
        if ok then return m end
      end
    end
  end
  for _, t in ipairs(class_tables(v)) do
    local x = rawget(t, k)
    if x ~= nil then return x end
  end
  return nil
end

-- The value a path such as "lunet.nn" leads to from env, or nil.
local function resolve(path, env)
  local v, name
  for part in path:gmatch("[^.]+") do
    if not is_name(part) then return nil end
    if v == nil and name == nil then
      v, name = rawget(env, part), part
    else
      v, name = field(v, part, name), name .. "." .. part
    end
    if v == nil then return nil end
  end
  return v, name
end

-- The names v offers after "." (fields) or ":" (methods).
local function names_of(v, name, methods)
  local out = {}
  if type(v) == "table" then
    add_keys(v, methods, out)
    for _, k in ipairs(LAZY[name] or {}) do out[k] = true end
  end
  for _, t in ipairs(class_tables(v)) do add_keys(t, methods, out) end
  return out
end

--- complete.candidates(word [, env]) -> list of strings
-- The completions of `word` (a global, "a.b.c" path or "obj:method" prefix)
-- in env (default _G), as whole words, sorted.
function M.candidates(word, env)
  env = env or _G
  local list = {}
  local base, sep, partial = word:match("^([%w_.]*[%w_])([.:])([%w_]*)$")
  local pool
  if base then
    local v, name = resolve(base, env)
    if v == nil then return list end
    pool = names_of(v, name, sep == ":")
  elseif word:match("^[%a_]?[%w_]*$") then
    base, sep, partial, pool = "", "", word, {}
    add_keys(env, false, pool)
    for _, k in ipairs(KEYWORDS) do pool[k] = true end
  else
    return list
  end
  -- metamethods and private fields only when asked for with a "_"
  local private = partial:sub(1, 1) == "_" or sep == ""
  for k in pairs(pool) do
    if k:sub(1, #partial) == partial and (private or k:sub(1, 1) ~= "_") then
      list[#list + 1] = base .. sep .. k
    end
  end
  table.sort(list)
  return list
end

return M
