-- lunet.errors: the one rule by which lunet's Lua code raises errors.
--
-- A message names the function the user called, once, then the problem
-- ("lunet.train.sgd: eta must be a finite positive number"), and its
-- position is the user's line: the first caller on the stack outside
-- lunet's own Lua files, however deep inside lunet the check ran. Errors
-- of the C core reached through a Lua wrapper are re-raised the same way
-- (errors.call), without the core function's internal name or the
-- wrapper's position.

local errors = {}

-- "@/prefix/lua/lunet/": every file of lunet's Lua side starts with it,
-- in a checkout and in a LuaRocks tree alike.
local PREFIX = debug.getinfo(1, "S").source:match("^(@.*[/\\]lunet[/\\])[^/\\]*$")

local function internal(source)
  return PREFIX ~= nil and source:sub(1, #PREFIX) == PREFIX
end

--- errors.raise(msg)
-- Raises msg at the first Lua function on the stack that is not part of
-- lunet (the user's script or prompt), so the position points at the
-- user's call. C frames (pcall) are skipped.
function errors.raise(msg)
  local level = 2
  while true do
    local info = debug.getinfo(level, "S")
    if not info then error(msg, 0) end
    if info.what ~= "C" and not internal(info.source) then error(msg, level) end
    level = level + 1
  end
end

--- errors.fail(fname, fmt, ...)
-- errors.raise(fname .. ": " .. fmt:format(...)).
function errors.fail(fname, fmt, ...)
  errors.raise(fname .. ": " .. fmt:format(...))
end

--- errors.message(err, core_name) -> string
-- An error message from lunet.core without its position and, when given,
-- the core function's name ("net_new: layer 2 ..." -> "layer 2 ...").
function errors.message(err, core_name)
  local msg = tostring(err):gsub("^[^\n]-:%d+: ", "", 1)
  -- Lua's "bad argument #1 to 'forward' (...)" names the internal call: keep what it says
  msg = msg:gsub("^bad argument #%d+ to '[^']*' %((.*)%)$", "%1", 1)
  if core_name then msg = msg:gsub("^" .. core_name:gsub("%p", "%%%0") .. ": ", "", 1) end
  return msg
end

--- errors.call(fname, core_name, f, ...) -> the results of f(...)
-- Calls a core function; its error is re-raised as fname's, at the user's line.
function errors.call(fname, core_name, f, ...)
  local res = table.pack(pcall(f, ...))
  if not res[1] then errors.raise(fname .. ": " .. errors.message(res[2], core_name)) end
  return table.unpack(res, 2, res.n)
end

--- errors.method(self, fname)
-- Raises "fname: call it with a colon ..." unless self is a model or a
-- layer (a table of layers): model.forward(x) passes x as self, and
-- net.SGD(training, 30, 10, 3.0) would read 30 as the training data.
function errors.method(self, fname)
  if type(self) == "table" and rawget(self, "_layers") ~= nil then return end
  local class, name = fname:match("^(.-):(.+)$")
  local obj = class:match("Network$") and "net" or "model"
  local mt = getmetatable(self)
  local got = self == nil and "nothing" or type(mt) == "table" and rawget(mt, "__name") == "lunet.Tensor" and "a tensor"
    or "a " .. type(self)
  errors.raise(("%s: call it with a colon, %s:%s(...), not %s.%s(...): it got %s where the %s goes")
    :format(fname, obj, name, obj, name, got, obj))
end

return errors
