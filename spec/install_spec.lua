-- Installs with LuaRocks into a temporary tree and loads the module from
-- elsewhere, as a user would. The install builds in a copy of the sources,
-- so the module under test here (a sanitizer build under make asan) stays
-- as it is; the installed one is a plain build, run without the runtime.
local H = require "spec.helpers"

local function sh(cmd)
  local p = io.popen("env -u LD_PRELOAD sh -c '" .. cmd:gsub("'", "'\\''") .. "' 2>&1")
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

describe("installation", function()
  local tree = H.tmpname("-tree")
  local src = H.tmpname("-src")
  local have_luarocks = sh("command -v luarocks")

  it("luarocks make installs into a tree, the module and the launcher work from elsewhere", function()
    assert.is_true(have_luarocks, "luarocks is not installed (make deps installs it)")
    local copy = "mkdir -p %s && tar --exclude=./build --exclude=./lunet --exclude=./.git -cf - . "
      .. "| (cd %s && tar -xf -)"
    local ok, out = sh(copy:format(src, src))
    assert.is_true(ok, out)
    ok, out = sh(("cd %s && luarocks --lua-version 5.4 make --tree %s"):format(src, tree))
    assert.is_true(ok, out)
    local paths = ("eval \"$(luarocks --lua-version 5.4 --tree %s path)\" && cd /tmp && "):format(tree)
    ok, out = sh(paths .. "lua5.4 -e 'local l = require \"lunet\"; print(l.ones(2):sum(), " ..
      "package.searchpath(\"lunet.core\", package.cpath))'")
    assert.is_true(ok, out)
    assert.matches("^2%.0\t" .. tree:gsub("%p", "%%%0") .. "/lib/lua/5.4/lunet/core.so", out)
    -- the launcher finds its tree without any path set
    local script = H.tmpname(".lua")
    H.write(script, "print(lunet.zeros(2, 2):numel(), ...)")
    ok, out = sh(("cd /tmp && env -u LUA_PATH -u LUA_CPATH %s/bin/lunet %s a b"):format(tree, script))
    os.remove(script)
    assert.is_true(ok, out)
    assert.are.equal("4\ta\tb\n", out)
    local session = "printf 'lunet.randn(3, 4)\\nlunet.zeros(2.5)\\n'"
    local _, out2 = sh(("cd /tmp && %s | env -u LUA_PATH -u LUA_CPATH %s/bin/lunet"):format(session, tree))
    assert.matches("%[Tensor float32 3x4%]", out2)
    assert.matches("size must be an integer, got 2.5", out2)
    -- the examples come with the rock, found from any directory
    local lunet_cmd = ("cd /tmp && env -u LUA_PATH -u LUA_CPATH %s/bin/lunet "):format(tree)
    ok, out = sh(lunet_cmd .. "--example")
    assert.is_true(ok, out)
    assert.matches("\n  chapter1\n", out)
    ok, out = sh(lunet_cmd .. "--example chapter1 --help")
    assert.is_true(ok, out)
    assert.matches("chapter%-1 network", out)
    ok, out = sh(lunet_cmd .. "examples/chapter1.lua --help")
    assert.is_true(ok, out)
    assert.matches("chapter%-1 network", out)
    ok, out = sh(lunet_cmd .. "--example nosuch")
    assert.is_falsy(ok)
    assert.matches("no example 'nosuch'", out)
    sh("rm -rf " .. tree .. " " .. src)
  end)
end)
