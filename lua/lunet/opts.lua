-- lunet.opts: option tables are checked, never silently dropped.
--
--   local opts = require "lunet.opts"
--   function nn.Linear(n_in, n_out, o)
--     o = opts.check("nn.Linear", o, { "init" })
--     ...
--
-- check(fname, t, valid [, level]) returns t (or a new empty table for nil)
-- and raises at the caller's caller ("nn.Linear: unknown option 'inti'
-- (valid: init); did you mean 'init'?") for any key not in the list, for a key that is not a
-- name, and for an argument that is not a table. The table is walked with
-- next, so a __pairs or __index metamethod never runs while it is checked.

local errors = require "lunet.errors"

local opts = {}

local function valid_list(valid)
  local names = {}
  for i, k in ipairs(valid) do names[i] = k end
  table.sort(names)
  return #names > 0 and table.concat(names, ", ") or "none"
end

local function is_valid(key, valid)
  for _, k in ipairs(valid) do
    if k == key then return true end
  end
  return false
end

-- The keys of t not in valid, sorted so the message does not depend on
-- the table's order; nil and a reason when a key is not a name.
function opts.unknown(t, valid)
  local bad = {}
  local k = next(t)
  while k ~= nil do
    if type(k) ~= "string" then
      local kind = math.type(k) or type(k)
      return nil, ("option keys must be names, got %s %s key"):format(kind == "integer" and "an" or "a", kind)
    end
    if not is_valid(k, valid) then bad[#bad + 1] = k end
    k = next(t, k)
  end
  table.sort(bad)
  return bad
end

-- Edit distance with transpositions (optimal string alignment): "inti" is
-- one step from "init", "lamda" one from "lambda".
local function distance(a, b)
  local d = {}
  for i = 0, #a do d[i] = { [0] = i } end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      d[i][j] = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        d[i][j] = math.min(d[i][j], d[i - 2][j - 2] + 1)
      end
    end
  end
  return d[#a][#b]
end

--- opts.suggest(key, valid) -> string | nil
-- The valid name closest to a misspelt option key (one edit away, two for
-- keys of five letters or more; the first in sorted order on a tie), or nil.
function opts.suggest(key, valid)
  if type(key) ~= "string" then return nil end
  local best, best_d = nil, #key >= 5 and 2 or 1
  local names = {}
  for i, k in ipairs(valid) do names[i] = k end
  table.sort(names)
  for _, k in ipairs(names) do
    local d = distance(key:lower(), k:lower())
    if d < best_d or (d == best_d and best == nil) then best, best_d = k, d end
  end
  return best
end

-- "; did you mean 'x'?" for the first unknown key, or "".
function opts.hint(bad, valid)
  local s = opts.suggest(bad[1], valid)
  return s and ("; did you mean '%s'?"):format(s) or ""
end

--- opts.with_hint(msg) -> string
-- A message of the core's option checks ("unknown option 'x' (valid: a,
-- b)", "kind: invalid option 'x' (valid: ...)") with opts.hint's "did you
-- mean" added when a valid name is close; any other message as it is.
function opts.with_hint(msg)
  local bad, valid = msg:match("option '(.-)' %(valid: (.-)%)$")
  if not bad then return msg end
  local names = {}
  for name in valid:gmatch("[^, ]+") do names[#names + 1] = name end
  return msg .. opts.hint({ bad }, names)
end

--- opts.check(fname, t, valid) -> t or {}
-- Checks an option table: an unknown key, a key that is not a name or a
-- t that is not a table is an error naming fname and the valid keys. A
-- fourth (level) argument is accepted for old callers and ignored: errors
-- are raised at the user's line (lunet.errors).
function opts.check(fname, t, valid, _)
  if t == nil then return {} end
  if type(t) ~= "table" then
    errors.raise(("%s: options must be a table, got %s"):format(fname, type(t)))
  end
  local bad, why = opts.unknown(t, valid)
  if not bad then errors.raise(("%s: %s (valid: %s)"):format(fname, why, valid_list(valid))) end
  if #bad > 0 then
    errors.raise(("%s: unknown option%s '%s' (valid: %s)%s"):format(fname, #bad > 1 and "s" or "",
      table.concat(bad, "', '"), valid_list(valid), opts.hint(bad, valid)))
  end
  return t
end

--- opts.shown(v) -> string
-- An option's value as an error message shows it, never through tostring
-- (a table's __tostring may raise or run anything): numbers as numbers,
-- strings as "the string '0.1'" (not to be read as the number 0.1), other
-- values by their type ("a table").
function opts.shown(v)
  if type(v) == "number" then return tostring(v) end
  if type(v) == "string" then return ("the string '%s'"):format(v) end
  return "a " .. type(v)
end

-- Splits a table holding both a list and named options (lunet.Network{784,
-- 30, 10, activation = "tanh"}) into the list part and the named part.
function opts.split(t)
  local list, named, n = {}, {}, rawlen(t)
  local k, v = next(t)
  while k ~= nil do
    if math.type(k) == "integer" and k >= 1 and k <= n then list[k] = v else named[k] = v end
    k, v = next(t, k)
  end
  return list, named
end

return opts
