-- The lunet prompt fed what a hostile user types: error objects that are no
-- strings, many values at once, keys whose __tostring fails, a chunk cut
-- short by the end of input, a help topic with a comment, Lua's own globals
-- replaced or shadowed by a line's local, io.input/io.output redirected, a
-- closed tensor's shape, and Ctrl-C while a value prints (in tmux).
local H = require "spec.helpers"
local lunet = require "lunet"
local repr = require "lunet.repr"

local q, sh = H.shell_quote, H.sh

-- bin/lunet with `input` on standard input (stderr merged into the output).
local function session(input, limit)
  local env = os.getenv("LUNET_ASAN") and "" or "env -u LD_PRELOAD "
  local home = H.tmpname("-home")
  local ok, out = sh(("printf '%%s' %s | %sHOME=%s timeout %d sh bin/lunet"):format(q(input), env, q(home),
    limit or 60))
  os.execute("rm -rf " .. q(home))
  return ok, out
end

describe("the prompt's errors", function()
  it("say what an error object that is no string is, as lua does, without the prompt's own position", function()
    local ok, out = session("error(nil)\nerror({})\n"
      .. "error(setmetatable({}, {__tostring = function() return {} end}))\n"
      .. "error(setmetatable({}, {__tostring = function() error('x') end}))\n"
      .. "error(setmetatable({}, {__tostring = function() return 'told' end}))\n=1\n")
    assert.is_true(ok, out)
    local told = "(error object is a nil value)\n" .. ("(error object is a table value)\n"):rep(3) .. "told\n"
    assert.equal(told .. "1\n\n", out)
  end)
end)

describe("the prompt's values", function()
  it("prints many values in time linear in their number", function()
    local ok, out = session("t = {} for i = 1, 300000 do t[i] = i end\ntable.unpack(t)\n", 30)
    assert.is_true(ok, out:sub(-300))
    local _, lines = out:gsub("\n", "")
    assert.equal(300001, lines)
    assert.matches("\n300000\n\n$", out)
  end)

  it("prints tables whose keys have a failing or wrong __tostring", function()
    local k1 = setmetatable({}, { __tostring = function() error("key boom") end })
    local k2 = setmetatable({}, { __tostring = function() return {} end })
    assert.equal("{[<table>] = 1}", repr.value { [k1] = 1 })
    assert.equal("{[<table>] = 1}", repr.value { [k2] = 1 })
    assert.matches("^{%[<table>%] = %d, %[<table>%] = %d}$", repr.value { [k1] = 1, [k2] = 2 })
    assert.equal("{x = {[<table>] = 3}}", repr.value { x = { [k1] = 3 } })
  end)
end)

describe("the prompt's input", function()
  it("reports a chunk cut short by the end of input instead of dropping it", function()
    local ok, out = session("=1\nfor i = 1, 2 do\n  print(i)\n")
    assert.is_true(ok, out)
    assert.equal("1\n\nstdin:2: 'end' expected (to close 'for' at line 1) near <eof>\n", out)
  end)

  it("reads ?x with a trailing comment as help(x), not as a chunk cut short", function()
    local ok, out = session("?lunet.zeros -- the zeros\n=1\n")
    assert.is_true(ok, out)
    assert.matches("^lunet%.zeros%(d1, ", out)
    assert.matches("\n1\n\n$", out)
    assert.not_matches("expected", out)
  end)

  it("reads its lines from standard input and prints to standard output whatever io.input and io.output say", function()
    local file, data = H.tmpname(".out"), H.tmpname(".lua")
    H.write(data, "print('from the file')\n")
    local ok, out = session(("f = io.output(%q)\n=1 + 1\nio.input(%q)\n=2 + 2\nio.write('x')\nio.close()\n=3 + 3\n")
      :format(file, data))
    local written = H.read(file)
    os.remove(file)
    os.remove(data)
    assert.is_true(ok, out)
    assert.equal("2\n4\ntrue\n6\n\n", (out:gsub("file %b()\n", "")))
    assert.equal("x", written)
  end)
end)

describe("the prompt with Lua's globals replaced", function()
  it("keeps running, printing and reporting errors", function()
    local ok, out = session("load = lunet.load\nio = nil\ntostring = nil\nselect = 3\ntable = 'a'\ntype = 1\n"
      .. "pcall, xpcall, require, debug, next, ipairs, rawget, rawlen, math, string = nil\n"
      .. "=1 + 1\n{1, a = {2}}\nerror('e')\nfunction f() error('in f') end\nf()\n")
    assert.is_true(ok, out)
    assert.matches("^2\n{1, a = {2}}\nstdin:1: e\nstdin:1: in f\nstack traceback:\n", out)
    assert.not_matches("lunet/[%w_]+%.lua", out)
  end)

  it("leaves a line's local of the same name as one of them local, so lunet's own code still works", function()
    local ok, out = session('local type = "relu"\nlocal table, select = {}, 1\n=type(1), select("#", 1, 2)\n'
      .. "lunet.Network{4, 3, 2}\n{1, 2}\n")
    assert.is_true(ok, out)
    assert.matches("^number\n2\n", out)
    assert.matches("\n{1, 2}\n\n$", out)
    assert.not_matches("attempt to", out)
  end)
end)

describe("a closed tensor at the prompt", function()
  it("t:shape() says the tensor is closed, in the user's words", function()
    local t = lunet.ones(2)
    t:close()
    local ok, err = pcall(t.shape, t)
    assert.is_false(ok)
    assert.matches("shape: tensor has been closed$", err)
    assert.not_matches("raw_shape", err)
    assert.not_matches("lunet/shape%.lua", err)
  end)
end)

describe("Ctrl-C while the prompt prints a value (tmux)", function()
  if not sh("command -v tmux") then
    pending("tmux is not installed (make deps installs it)")
    return
  end

  it("stops the printing with 'interrupted', every time, and the session goes on", function()
    local dir = H.tmpname("-prompt4")
    local sock = dir .. "/tmux.sock"
    local function tmux(args) return sh("env -u LD_PRELOAD tmux -S " .. q(sock) .. " " .. args) end
    local function screen() return select(2, tmux("capture-pane -p -J -t p4")) end
    local function shows(pattern, count)
      local deadline, s = os.time() + (os.getenv("LUNET_ASAN") and 120 or 40)
      repeat
        s = screen()
        local _, n = s:gsub(pattern, "")
        if n >= (count or 1) then return s end
        os.execute("sleep 0.1")
      until os.time() > deadline
      error(("timed out waiting for %q; the screen was:\n%s"):format(pattern, s), 2)
    end
    local function line(text)
      tmux("send-keys -t p4 -l " .. q(text))
      tmux("send-keys -t p4 Enter")
    end
    assert(sh("mkdir -p " .. q(dir .. "/home")))
    local env = "HOME=" .. dir .. "/home XDG_STATE_HOME=" .. dir .. "/state"
    if os.getenv("LD_PRELOAD") then env = env .. " LD_PRELOAD=" .. os.getenv("LD_PRELOAD") end
    local ok, out = tmux("-f /dev/null new-session -d -s p4 -x 100 -y 40 "
      .. q("env " .. env .. " sh bin/lunet; echo lunet ended; sleep 60") .. " </dev/null")
    assert(ok, out)
    local finally = function()
      tmux("kill-server")
      sh("rm -rf " .. q(dir))
    end
    local passed, err = pcall(function()
      shows("\n> ")
      line("slow = setmetatable({}, {__tostring = function() print('printing') while true do end end})")
      for i = 1, 2 do
        line("slow")
        shows("\nprinting\n", i)
        tmux("send-keys -t p4 C-c")
        shows("\ninterrupted\n", i)
      end
      line("=40 + 2")
      local s = shows("\n42\n")
      assert.not_matches("lunet ended", s)
      assert.not_matches("__tostring failed", s)
    end)
    finally()
    assert(passed, err)
  end)
end)
