-- The lunet prompt driven in a real terminal: bin/lunet runs in a detached
-- tmux session of a fixed size, keys are typed with send-keys and the
-- screen is read back with capture-pane, polling until what is expected
-- shows (or a timeout, which fails with the screen). HOME and
-- XDG_STATE_HOME point into a temporary directory, so the history file is
-- the test's own. Under make asan the prompt runs with the sanitizer
-- runtime (tmux itself does not).
local H = require "spec.helpers"

local q, sh = H.shell_quote, H.sh

local have_tmux = sh("command -v tmux")
local TIMEOUT = os.getenv("LUNET_ASAN") and 120 or 40   -- seconds; the machine may be busy

describe("the lunet prompt in a terminal (tmux)", function()
  if not have_tmux then
    pending("tmux is not installed (make deps and make test install it): the terminal spec did not run")
    return
  end

  local dir = H.tmpname("-prompt")
  local sock, state = dir .. "/tmux.sock", dir .. "/state"
  local history = state .. "/lunet/history"   -- not there yet: the prompt makes the directory

  local function tmux(args)
    return sh("env -u LD_PRELOAD tmux -S " .. q(sock) .. " " .. args)
  end

  -- The visible screen, lines joined where the terminal wrapped them.
  local function screen()
    local _, out = tmux("capture-pane -p -J -t lunet")
    return out
  end

  local function lines_of(s)
    local t = {}
    for l in (s .. "\n"):gmatch("([^\n]*)\n") do t[#t + 1] = l end
    while #t > 0 and t[#t] == "" do t[#t] = nil end
    return t
  end

  -- Polls the screen until check(screen) is true; fails with the screen.
  local function wait_for(what, check)
    local deadline, s = os.time() + TIMEOUT
    repeat
      s = screen()
      if check(s) then return s end
      os.execute("sleep 0.1")
    until os.time() > deadline
    error(("timed out waiting for %s; the screen was:\n%s"):format(what, s), 2)
  end

  local function shows(pattern)
    return wait_for(("%q"):format(pattern), function(s) return s:find(pattern) ~= nil end)
  end

  local function is_prompt(line)
    return line ~= nil and line:match("^> ?$") ~= nil
  end

  -- The prompt "> " on the last line.
  local function at_prompt()
    return wait_for("the prompt", function(s)
      local l = lines_of(s)
      return is_prompt(l[#l])
    end)
  end

  local function type_text(text)
    tmux("send-keys -t lunet -l " .. q(text))
  end

  local function press(...)
    tmux("send-keys -t lunet " .. table.concat({ ... }, " "))
  end

  -- Types a line and waits until the terminal shows it (keys typed ahead
  -- of a Ctrl-C would be flushed by the terminal with it).
  local function type_line(text)
    type_text(text)
    shows("> " .. text:gsub("%p", "%%%0") .. "\n")
  end

  -- A fresh screen at an empty prompt (Ctrl-C drops whatever a failed
  -- test left typed, Ctrl-L is readline's clear-screen).
  local function clear()
    press("C-c")
    at_prompt()
    press("C-l")
    wait_for("a cleared screen", function(s) return #lines_of(s) == 1 and is_prompt(lines_of(s)[1]) end)
  end

  setup(function()
    assert(sh("mkdir -p " .. q(dir .. "/home")))
    local env = { "HOME=" .. dir .. "/home", "XDG_STATE_HOME=" .. state, "LUNET_THREADS=1" }
    local preload = os.getenv("LD_PRELOAD")
    if preload then
      -- sanitizer reports go to files the last test looks at
      env[#env + 1] = "LD_PRELOAD=" .. preload
      env[#env + 1] = "ASAN_OPTIONS=" .. (os.getenv("ASAN_OPTIONS") or "") .. ":log_path=" .. dir .. "/asan"
    end
    local cmd = "env " .. table.concat(env, " ") .. " sh bin/lunet; echo $? >" .. dir .. "/status"
    local ok, out = tmux("-f /dev/null new-session -d -s lunet -x 100 -y 40 " .. q(cmd))
    assert(ok, out)
  end)

  teardown(function()
    tmux("kill-server")
    sh("rm -rf " .. q(dir))
  end)

  it("starts with a banner and the prompt", function()
    shows("lunet %d+%.%d+%.%d+ on Lua 5%.4: help%(%) lists the modules")
    at_prompt()
  end)

  it("Ctrl-C on a half-typed line drops the line and keeps the session", function()
    clear()
    type_text("xyz = 12")
    shows("> xyz = 12")
    press("C-c")
    shows("> xyz = 12%^C\n>")
    at_prompt()
    type_line("xyz")
    press("Enter")
    shows("> xyz\nnil\n>")   -- the dropped assignment never ran
    -- a chunk waiting for more lines is dropped whole
    type_line("for i = 1, 3 do")
    press("Enter")
    shows(">> ")
    press("C-c")
    shows(">> %^C\n>")
    type_line("=40 + 2")
    press("Enter")
    shows("\n42\n>")
  end)

  it("Ctrl-C while a chunk runs stops it with an error and keeps the session", function()
    clear()
    type_line("n = 0; print('looping'); while true do n = n + 1 end")
    press("Enter")
    shows("\nlooping\n")
    press("C-c")
    shows("\ninterrupted\n>")
    type_line("n > 0")
    press("Enter")
    shows("\ntrue\n>")
  end)

  it("Tab completes fields of tables and methods of tensors and networks", function()
    clear()
    type_text("lunet.ran")
    press("Tab")
    -- the common part is filled in and both candidates are listed
    shows("> lunet%.ran\nlunet%.rand +lunet%.randn *\n> lunet%.rand\n")
    type_text("n")
    press("Tab")
    shows("> lunet%.randn\n")
    press("C-u")   -- readline's kill to the start of the line
    clear()
    type_line("t = lunet.ones(2, 6)")
    press("Enter")
    at_prompt()
    type_text("t:resh")
    press("Tab")
    shows("> t:reshape\n")
    press("C-u")
    clear()
    type_line("net = lunet.Network{4, 3, 2}")
    press("Enter")
    at_prompt()
    type_text("net:S")
    press("Tab")
    shows("> net:SGD\n")
    press("C-u")
  end)

  it("help(lunet.Network) prints the signature and description", function()
    clear()
    type_line("help(lunet.Network)")
    press("Enter")
    local s = shows("\nlunet%.Network{sizes%.%.%. %[, cost =.-} %-> net\n")
    assert.matches("network2%.py", s)
    at_prompt()
  end)

  it("a tensor expression and other values print readably", function()
    clear()
    type_line("t:reshape(3, 4) * 2, t:reshape(3, 4):shape(), {1, 2, 3}")
    press("Enter")
    shows(table.concat({ " 2 2 2 2", " 2 2 2 2", " 2 2 2 2", "%[Tensor float32 3x4%]", "3x4", "{1, 2, 3}", ">" },
      "\n"))
  end)

  it("Ctrl-C during training stops it; the partial history comes back and the network still works", function()
    clear()
    type_line("d = {x = lunet.rand(20000, 50), y = lunet.zeros(20000)}; net = lunet.Network{50, 100, 10}")
    press("Enter")
    at_prompt()
    type_line("ev_cost, ev_acc, tr_cost, tr_acc, h = net:SGD(d, 100000, 10, 0.1, {monitor_training_cost = true})")
    press("Enter")
    shows("Epoch 1/100000 ")
    press("C-c")
    shows("training interrupted %(Ctrl%-C%) [a-z]+ epoch %d+/100000: the network keeps its updates")
    at_prompt()
    clear()
    type_line("h.stopped, #h.epoch >= 1, #tr_cost == #h.epoch, h.interrupted_epoch - #h.epoch <= 1")
    press("Enter")
    shows("\ninterrupted\ntrue\ntrue\ntrue\n>")
    clear()
    type_line("net:feedforward(d.x:narrow(1, 1, 3)):shape(), net:total_cost(d) < math.huge")
    press("Enter")
    shows("\n3x10\ntrue\n>")
  end)

  it("Ctrl-D ends the session; the history file holds what was run, not what was dropped", function()
    clear()
    press("C-d")
    wait_for("the session to end", function() return not tmux("has-session -t lunet") end)
    assert.equal("0\n", H.read(dir .. "/status"))
    local _, reports = sh("ls " .. q(dir) .. " | grep '^asan'")
    assert.equal("", reports)
    local text = H.read(history)
    assert.matches("help%(lunet%.Network%)\n", text)
    assert.matches("=40 %+ 2\n", text)
    assert.not_matches("xyz = 12", text)
  end)
end)
