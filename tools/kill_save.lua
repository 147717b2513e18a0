-- tools/kill_save.lua [kills] [hidden units]: kills saves of a large model at
-- random moments and checks what is left beside the target.
--
-- A network of about 38 MB is saved (the "old" file). Then, `kills` times
-- (default 30), the target is set back to the old file, a child interpreter
-- loads a different network (the "new" one), says it is ready, and saves it
-- over the target, and the parent sends it SIGKILL: odd kills at a random
-- moment of the whole save, even ones at a random moment after its
-- temporary file appeared (the part that writes, syncs and renames; both
-- spans timed once beforehand). After each kill the target must load and be
-- byte for byte the old or the new file, and the directory may hold at most
-- one other file (the save's temporary, which the next kill's save must cope
-- with). A last save, not killed, must leave none.
--
-- Run it from the source tree: lua5.4 tools/kill_save.lua. It prints one
-- line per kill and a summary, and exits 1 on any failure.

package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "./?.so;" .. package.cpath
local lunet = require "lunet"
local core = require "lunet.core"

local KILLS = tonumber(arg[1]) or 30
local HIDDEN = tonumber(arg[2]) or 6000

local function q(s) return "'" .. tostring(s):gsub("'", [['\'']]) .. "'" end

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  return p:close() == true, out
end

local function must(cmd)
  local ok, out = sh(cmd)
  if not ok then error(cmd .. ": " .. out, 0) end
  return out
end

local function now()
  return tonumber((must("date +%s.%N")))
end

local function entries(dir)
  local list = {}
  for name in must("ls -A " .. q(dir)):gmatch("[^\n]+") do list[#list + 1] = name end
  return list
end

local root = must("mktemp -d"):gsub("%s+$", "")
local dir, src = root .. "/target", root .. "/src"
must("mkdir " .. q(dir) .. " " .. q(src))
local target, new_path = dir .. "/model.lunet", src .. "/new.lunet"

-- the two versions: same shape, different weights
lunet.seed(1)
local old = lunet.Network { 784, HIDDEN, 784 }
old:save(target)
local old_path = src .. "/old.lunet"
old:save(old_path)
lunet.seed(2)
local new = lunet.Network { 784, HIDDEN, 784 }
new:save(new_path)
local started = now()
new:save(new_path)
local save_time = now() - started
local old_md5, new_md5 = core.md5_file(target), core.md5_file(new_path)
local _, size = core.file_kind(target)

-- The child: load the new network, say so through a FIFO (so the parent
-- waits without polling), save it over the target.
local fifo = root .. "/ready"
must("mkfifo " .. q(fifo))
local child = root .. "/child.lua"
local f = assert(io.open(child, "w"))
f:write(([[
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "./?.so;" .. package.cpath
local lunet = require "lunet"
local net = lunet.Network.load(%q)
local r = assert(io.open(%q, "w")); r:write("ready\n"); r:close()
net:save(%q)
]]):format(new_path, fifo, target))
f:close()

-- Starts the child, waits until it is ready, then runs `then_` (sh) with
-- $pid set; prints what that prints.
local function with_child(then_)
  return must(([[
lua5.4 %s >%s 2>&1 & pid=$!
read line <%s
%s]]):format(q(child), q(root .. "/child.log"), q(fifo), then_))
end

-- Calibration: when, after the child is ready, the temporary appears and
-- the save ends (most of a save is encoding the values, before any file).
local tmp_path = dir .. "/.model.lunet.lunet-tmp"
local times = with_child(([[
t0=$(date +%%s.%%N); seen=; gone=
while kill -0 $pid 2>/dev/null; do
  if [ -e %s ]; then [ -z "$seen" ] && seen=$(date +%%s.%%N)
  elif [ -n "$seen" ] && [ -z "$gone" ]; then gone=$(date +%%s.%%N); fi
  sleep 0.005
done
end=$(date +%%s.%%N)
echo $t0 ${seen:-$end} ${gone:-$end} $end]]):format(q(tmp_path)))
local t0, t_seen, t_gone, t_done = times:match("(%S+) (%S+) (%S+) (%S+)")
local t_tmp, t_renamed, t_end = t_seen - t0, t_gone - t0, t_done - t0
local write = math.max(0.05, t_renamed - t_tmp)
print(("kill_save: model of %.1f MB; a save takes %.3f s in-process; in a child, after it was ready, its "
  .. "temporary appeared at %.3f s, was renamed by %.3f s, and the child ended at %.3f s")
  :format(size / 1e6, save_time, t_tmp, t_renamed, t_end))
print(("kill_save: %d kills: odd ones at a random moment in [0, %.3f] s after the child is ready, even ones "
  .. "at a random moment in [0, %.3f] s after its temporary appears (writing, syncing, renaming)")
  :format(KILLS, t_renamed, write))
old:save(target)   -- back to the old file

local failures, max_temps, mid_save, loaded_old, loaded_new = 0, 0, 0, 0, 0
math.randomseed(os.time())
for i = 1, KILLS do
  -- each kill starts from the old file, and from whatever the last kill left beside it
  must(("cp %s %s"):format(q(old_path), q(target)))
  local delay, wait_tmp = math.random() * t_renamed, ""
  if i % 2 == 0 then   -- machines are loaded: wait for the file rather than trust the calibration
    delay = math.random() * write
    wait_tmp = ("while [ ! -e %s ] && kill -0 $pid 2>/dev/null; do sleep 0.005; done; "):format(q(tmp_path))
  end
  with_child(("%ssleep %.4f; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; true"):format(wait_tmp, delay))
  local others = {}
  for _, name in ipairs(entries(dir)) do
    if name ~= "model.lunet" then others[#others + 1] = name end
  end
  max_temps = math.max(max_temps, #others)
  if #others > 0 then mid_save = mid_save + 1 end
  local ok, err = pcall(lunet.Network.load, target)
  local md5 = core.md5_file(target)
  local which = md5 == old_md5 and "old" or md5 == new_md5 and "new" or "NEITHER"
  if which == "old" then loaded_old = loaded_old + 1 elseif which == "new" then loaded_new = loaded_new + 1 end
  local good = ok and which ~= "NEITHER" and #others <= 1
  if not good then failures = failures + 1 end
  print(("kill %2d %s %.3f s: target loads: %s, is the %s file; other files: %d %s%s"):format(i,
    i % 2 == 0 and "after the temporary +" or "after ready +", delay,
    ok and "yes" or "NO (" .. tostring(err) .. ")", which, #others, table.concat(others, " "),
    good and "" or "  FAILED"))
end

-- a save that runs to its end takes the stray temporary with it
new:save(target)
local left = #entries(dir) - 1
if left ~= 0 or core.md5_file(target) ~= new_md5 then failures = failures + 1 end
print(("kill_save: %d kills, %d failed; the target always loaded: %s (old %d, new %d); a temporary "
  .. "left after %d kills; most files beside the target %d; after a full save %d")
  :format(KILLS, failures, loaded_old + loaded_new == KILLS and "yes" or "no", loaded_old, loaded_new,
    mid_save, max_temps, left))
must("rm -rf " .. q(root))
os.exit(failures == 0 and 0 or 1)
