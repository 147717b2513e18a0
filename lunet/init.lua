-- The source checkout's stand-in for the lunet module. Lua 5.4 looks in
-- ./lunet/init.lua and ./lunet/core.so by default, so at the top of a
-- checkout `lua5.4 script.lua` (and `lua5.4 -l lunet`) finds this file
-- after `make`: it puts the checkout's lua/ first on the path and loads
-- the real module, lua/lunet/init.lua. bin/lunet, the Makefile and an
-- installed rock never come here.
local root = debug.getinfo(1, "S").source:match("^@(.-)lunet[/\\]init%.lua$") or "./"
local core = io.open(root .. "lunet/core.so", "rb")
if not core then
  error("lunet: the C core is not built yet: run `make` in " .. (root == "./" and "this directory" or root), 0)
end
core:close()
package.path = root .. "lua/?.lua;" .. root .. "lua/?/init.lua;" .. package.path
return dofile(root .. "lua/lunet/init.lua")
