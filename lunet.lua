-- The source checkout's stand-in for the lunet module. Lua looks for
-- ./lunet.lua by default, so at the top of a checkout `lua5.4 script.lua`
-- (and `lua5.4 -l lunet`) finds this file: after `make` it puts the
-- checkout's lua/ first on the path and loads the real module,
-- lua/lunet/init.lua. Plain `lua` (5.1 on Debian) finds it too and is told
-- to use lua5.4. bin/lunet, the Makefile and an installed rock never come
-- here (their paths find lua/lunet/init.lua first).
if _VERSION ~= "Lua 5.4" then
  error("lunet needs Lua 5.4, and this is " .. tostring(_VERSION)
    .. ": run lua5.4 (on Debian plain `lua` is Lua 5.1) or bin/lunet", 0)
end
local root = debug.getinfo(1, "S").source:match("^@(.-)lunet%.lua$") or "./"
if root == "" then root = "./" end
local core = io.open(root .. "lunet/core.so", "rb")
if not core then
  error("lunet: the C core is not built yet: run `make` in " .. (root == "./" and "this directory" or root), 0)
end
core:close()
package.path = root .. "lua/?.lua;" .. root .. "lua/?/init.lua;" .. package.path
return dofile(root .. "lua/lunet/init.lua")
