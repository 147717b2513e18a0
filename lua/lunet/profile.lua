-- lunet.profile: where an epoch's time goes, per layer and per phase.
--
--   lunet.profile(true)            -- or LUNET_PROFILE=1 in the environment
--   net:SGD(training, 1, 10, 0.1)  -- the trainer prints the table after each epoch
--   print(lunet.profile_text())    -- or read lunet.profile_report()
--
-- The C core keeps the clock (csrc/profile.c); when profiling is off no
-- clock is read. A layer split over threads is timed on the calling
-- thread: its forward and backward are the whole pass, the pieces inside
-- (im2col, products, col2im, layout) that thread's share.

local core = require "lunet.core"

local profile = {}

-- the phases that make up an epoch, in the order a step runs them
local TOP = { "gather", "forward", "zero_grad", "cost", "backward", "update" }
local INNER = { "im2col", "products", "col2im", "layout" }

local cpu_clock = false

--- lunet.profile(on [, clock])
-- Turns the profiler on (true) or off (false); either way its table is cleared.
-- While on, every training epoch and forward pass adds to the table, and the
-- trainer (net:SGD, lunet.train.sgd) prints it after each epoch and starts afresh.
-- clock is "wall" (the default) or "cpu": the calling thread's CPU time, which
-- a machine shared with other work disturbs less (time spent waiting for other
-- threads or for a core is then not counted). LUNET_PROFILE=1 (or =cpu) turns it on.
function profile.profile(on, clock)
  if type(on) ~= "boolean" then error("lunet.profile(on): on must be true or false", 2) end
  if clock ~= nil and clock ~= "wall" and clock ~= "cpu" then
    error("lunet.profile(on, clock): clock must be \"wall\" or \"cpu\"", 2)
  end
  cpu_clock = clock == "cpu"
  core.profile(on, cpu_clock)
end

--- lunet.profile_restart()
-- Clears the profiler's table and keeps it on, with the same clock (the trainer
-- calls it after printing each epoch's table).
function profile.restart()
  core.profile(core.profile_enabled(), cpu_clock)
end

--- lunet.profile_enabled() -> boolean
-- Whether the profiler is on.
function profile.enabled()
  return core.profile_enabled()
end

--- lunet.profile_report() -> table
-- The profiler's table: `rows`, a list of {layer, kind, phase, seconds, calls}
-- (layer 0 is the network's own phases: epoch, gather, zero_grad, cost, update;
-- layer i >= 1 has forward and backward and, inside them, im2col, products,
-- col2im and layout), `epoch` (seconds of the timed epochs, 0 if none ran),
-- `epochs` (their count) and `accounted` (seconds of the phases that make up
-- an epoch: gather, every layer's forward and backward, zero_grad, cost, update).
function profile.report()
  local rows, epoch, epochs, accounted = core.profile_table(), 0, 0, 0
  local top = {}
  for _, name in ipairs(TOP) do top[name] = true end
  for _, r in ipairs(rows) do
    if r.phase == "epoch" then
      epoch, epochs = r.seconds, r.calls
    elseif top[r.phase] then
      accounted = accounted + r.seconds
    end
  end
  return { rows = rows, epoch = epoch, epochs = epochs, accounted = accounted }
end

local function pct(s, total)
  return total > 0 and ("%6.1f%%"):format(100 * s / total) or "      -"
end

--- lunet.profile_text() -> string
-- The profiler's table as text: one line per layer and phase with its
-- seconds, share of the epoch time and number of calls, the pieces of a
-- layer's pass indented under it, and how much of the epoch the phases account for.
function profile.text()
  local rep = profile.report()
  local total = rep.epoch > 0 and rep.epoch or rep.accounted
  local by = {}
  for _, r in ipairs(rep.rows) do
    by[r.layer] = by[r.layer] or { kind = r.kind }
    by[r.layer][r.phase] = r
  end
  local out = {}
  local function line(layer, kind, phase, r)
    out[#out + 1] = ("%-6s %-10s %-12s %10.4f %s %9d"):format(layer, kind, phase, r.seconds, pct(r.seconds, total),
      r.calls)
  end
  if rep.epochs > 0 then
    out[#out + 1] = ("profile of %d epoch%s: %.4f s (%s); the phases below account for %.1f%%"):format(rep.epochs,
      rep.epochs == 1 and "" or "s", rep.epoch, cpu_clock and "CPU time of the calling thread" or "wall clock",
      100 * rep.accounted / rep.epoch)
  else
    out[#out + 1] = ("profile (no training epoch): %.4f s in the phases below"):format(rep.accounted)
  end
  out[#out + 1] = ("%-6s %-10s %-12s %10s %7s %9s"):format("layer", "kind", "phase", "seconds", "share", "calls")
  local net = by[0] or {}
  for _, phase in ipairs { "gather", "zero_grad", "cost", "update" } do
    if net[phase] then line("-", "network", phase, net[phase]) end
  end
  local layers = {}
  for i in pairs(by) do if i > 0 then layers[#layers + 1] = i end end
  table.sort(layers)
  for _, i in ipairs(layers) do
    local t = by[i]
    for _, pass in ipairs { "forward", "backward" } do
      if t[pass] then
        line(tostring(i), t.kind or "?", pass, t[pass])
        -- the pieces are per layer, not per pass: show them once, under the last pass
        if pass == "backward" or not t.backward then
          for _, inner in ipairs(INNER) do
            if t[inner] then line("", "", "  " .. inner, t[inner]) end
          end
        end
      end
    end
  end
  return table.concat(out, "\n")
end

-- LUNET_PROFILE: 1 (or wall) and cpu turn it on; 0 or empty leave it off.
-- Any other value (false, no, a typo) once turned it on: it now leaves
-- it off, with a line on stderr, since the variable was meant to say something.
local ON = { ["1"] = "wall", wall = "wall", cpu = "cpu" }
local env = os.getenv("LUNET_PROFILE")
if env and ON[env] then
  profile.profile(true, ON[env])
elseif env and env ~= "" and env ~= "0" then
  io.stderr:write(("lunet: LUNET_PROFILE=%s is not 1, cpu or 0: the profiler stays off\n"):format(env))
end

return profile
