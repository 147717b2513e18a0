# Sourced by the bench scripts: run against this checkout's build.
LUA_PATH="$(pwd)/lua/?.lua;$(pwd)/lua/?/init.lua;;"
LUA_CPATH="$(pwd)/?.so;;"
export LUA_PATH LUA_CPATH
