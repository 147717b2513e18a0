-- lunet.run_example: how bin/lunet runs one of lunet's own examples.
--
--   lua5.4 -l lunet .../lunet/run_example.lua examples/NAME.lua args...
--
-- The script runs as lua5.4 would run it (arg, ...), but an error ends it
-- with the message alone and status 1: the example is lunet's code, so a
-- traceback through it and lunet's files says nothing to its user, while
-- the message ("out of memory allocating ...", "narrow: 1000000000
-- elements ... outside dimension 1 of size 50000") names the problem.

local script = arg[1]
local args = { [0] = script }
local k = -1   -- the interpreter's own words, one place further down
while arg[k] ~= nil do
  args[k - 1] = arg[k]
  k = k - 1
end
args[-1] = arg[0]
for i = 2, #arg do args[i - 1] = arg[i] end
arg = args   -- luacheck: ignore 121

local chunk, err = loadfile(script)
if not chunk then
  io.stderr:write("lunet: ", err, "\n")
  os.exit(1)
end
local ok, msg = xpcall(chunk, function(e) return tostring(e) end, table.unpack(args, 1, #args))
if not ok then
  io.stdout:flush()
  io.stderr:write("lunet: ", msg, "\n")
  os.exit(1)
end
