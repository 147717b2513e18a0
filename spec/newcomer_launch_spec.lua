-- How a newcomer starts lunet from a checkout: bin/lunet before `make`,
-- `lua5.4 script.lua` at the top of the checkout (lunet.lua, the
-- stand-in), and plain `lua` (Lua 5.1 on Debian) there or with lunet on
-- its path.
local H = require "spec.helpers"

local q = H.shell_quote

-- Under make asan the module needs the sanitizer runtime that LD_PRELOAD holds.
local function sh(cmd)
  local env = (os.getenv("LUNET_ASAN") and "env " or "env -u LD_PRELOAD ")
    .. "-u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 "
  local p = io.popen(env .. "sh -c " .. q(cmd) .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok, out, code
end

local function pwd()
  local p = io.popen("pwd")
  local dir = p:read("l")
  p:close()
  return dir
end

describe("starting lunet from a checkout", function()
  local dir = H.tmpname("-checkout")
  local top = pwd()

  teardown(function() os.execute("rm -rf " .. q(dir)) end)

  it("bin/lunet before make says to run make, without Lua's search list", function()
    local d = q(dir)
    assert.is_true(os.execute(("mkdir -p %s/bin %s/lua/lunet && cp bin/lunet %s/bin/"
      .. " && cp lua/lunet/init.lua %s/lua/lunet/ && cp lunet.lua %s/"):format(d, d, d, d, d)))
    local ok, out, code = sh("sh " .. q(dir .. "/bin/lunet") .. " -e 'print(1)'")
    assert.is_falsy(ok)
    assert.equal(2, code)
    assert.equal("lunet: the C core is not built yet: run `make` in " .. dir .. " first\n", out)
  end)

  it("lua5.4 at the top of a checkout finds the module after make, and says when it is not built", function()
    local ok, out = sh("cd " .. q(top) .. " && lua5.4 -e 'local l = require \"lunet\"; "
      .. "print(l.ones(2):sum(), package.searchpath(\"lunet.network\", package.path))'")
    assert.is_true(ok, out)
    assert.equal("2.0\t./lua/lunet/network.lua\n", out)
    ok, out = sh("cd " .. q(dir) .. " && lua5.4 -e 'require \"lunet\"'")
    assert.is_falsy(ok)
    assert.matches("^lua5.4: lunet: the C core is not built yet: run `make` in this directory\n", out)
  end)

  it("bin/lunet --help says how to use it and --version gives the versions, not lua5.4's usage", function()
    for _, flag in ipairs { "--help", "-h" } do
      local ok, out = sh("sh bin/lunet " .. flag)
      assert.is_true(ok, out)
      assert.matches("^usage: lunet ", out)
      assert.matches("\n       lunet %-%-example ", out)
      assert.not_matches("unrecognized option", out)
    end
    local ok, out = sh("sh bin/lunet --version")
    assert.is_true(ok, out)
    assert.equal("lunet " .. require("lunet").version .. " on Lua 5.4\n", out)
  end)

  it("bin/lunet adds no empty templates to Lua's search paths", function()
    local ok, out = sh("sh bin/lunet -e 'print(package.path); print(package.cpath)'")
    assert.is_true(ok, out)
    for line in out:gmatch("[^\n]+") do
      assert.is_nil(line:find(";;", 1, true), line)
      assert.not_matches(";$", line)
      assert.matches("^" .. top:gsub("%p", "%%%0"), line)
    end
  end)

  it("plain lua (5.1) with lunet on its path says that lunet needs Lua 5.4", function()
    if not sh("command -v lua5.1") then
      pending("no lua5.1 here")
      return
    end
    local ok, out = sh(("LUA_PATH=%s lua5.1 -e 'require \"lunet\"'")
      :format(q(top .. "/lua/?.lua;" .. top .. "/lua/?/init.lua;;")))
    assert.is_falsy(ok)
    assert.matches("^lua5.1: lunet needs Lua 5.4, and this is Lua 5.1: run lua5.4", out)
    -- at the top of the checkout, through lunet.lua
    ok, out = sh("cd " .. q(top) .. " && lua5.1 -e 'require \"lunet\"'")
    assert.is_falsy(ok)
    assert.matches("^lua5.1: lunet needs Lua 5.4, and this is Lua 5.1: run lua5.4", out)
  end)
end)
