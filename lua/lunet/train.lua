-- lunet.train: mini-batch stochastic gradient descent for any Module with
-- a cost, epoch by epoch. Each epoch runs entirely in C (shuffle, gather,
-- forward, backward, update, progress bar); this file only orchestrates:
-- monitoring, the learning-rate schedule, early stopping, printing.
--
--   local _, _, _, _, history = train.sgd(model, training_data, {
--     epochs = 30, batch = 10, eta = 0.1,
--     lambda = 5.0, reg = "l2",                 -- or "l1"; biases are never regularised
--     momentum = 0.9, nesterov = false,         -- momentum as the lecture writes it, or a
--                                               -- function of the epoch (train.sutskever(0.99, n))
--     optimizer = "adam",                       -- or "adagrad", "rmsprop", "adamw", "adamax", "sgd" (the
--                                               -- default), or {kind = "adam", beta1 = 0.8, ...},
--                                               -- or an object: lunet.optim.optimizer(model, {...})
--     evaluation_data = validation,
--     monitor_evaluation_accuracy = true,       -- and _cost, monitor_training_cost/_accuracy
--     schedule = { patience = 10 },             -- halve eta after 10 epochs without a better
--                                               -- validation accuracy; stop once it fell 128-fold
--     early_stopping = 10,                      -- stop after 10 epochs without improvement
--     gradient_norms = true,                    -- record ||dC/db|| per layer each epoch
--     saturation = true,                        -- record the saturated fraction per activation
--                                               -- layer each epoch ({eps =, data =} to choose)
--     monitor_every = 1000,                     -- also measure every 1000 training images on
--     monitor_data = subset,                    -- a small validation subset (default: the
--                                               -- first 1000 of evaluation_data)
--     on_monitor = function(m) end,             -- called after each of those; false stops
--     verbose = true, progress = true,
--     checkpoint = "run.ckpt", checkpoint_every = 1,  -- save everything needed to resume every n epochs
--     resume = "run.ckpt",                      -- continue a run from its checkpoint, exactly
--     interruptible = true,                     -- Ctrl-C ends the run (default: train.interruptible)
--   })
--
-- Data sets are tables {x = inputs (N, ...), y = labels (N) or targets
-- (N, n_out)}, as lunet.data returns them, optionally expanded
-- (lunet.data.expand). Returns the book's four monitors (evaluation cost,
-- evaluation accuracy as counts, training cost, training accuracy as
-- counts) and a history table:
--   history.epoch, .eta, .seconds                     per epoch
--   history.training_cost, .training_accuracy,       per epoch, accuracies
--   history.evaluation_cost, .evaluation_accuracy    as fractions in [0, 1]
--   history.gradient_norms = { epoch = {0, 1, ...}, bias = { {layer 1...}, ... }, weight = {...} }
--   history.saturation = { epoch = {0, 1, ...}, layer = {module layer numbers of the activations},
--                          fraction = { {first activation layer per epoch...}, ... } }
--   history.monitor = { images = {...}, seconds = {...}, evaluation_cost = {...},
--                       evaluation_accuracy = {...}, training_cost = {...}, training_accuracy = {...} }
--     (every monitor_every images: training images seen, training seconds so far, and the
--     four monitors on monitor_data and on as many of the first training samples)
--   history.best_epoch, .best_accuracy, .stopped ("epochs", "early stopping", "schedule",
--     "callback" when on_epoch returned false, "monitor" when on_monitor did)
--
-- Monitors have no side effects: evaluation runs in evaluation mode and
-- gradient norms draw their dropout masks from a private stream, so turning
-- any of them on or off leaves the trained network bit for bit the same.
--
-- Ctrl-C: with interruptible = true (the default at the lunet prompt, which
-- sets train.interruptible; scripts keep Lua's default, where Ctrl-C ends
-- the program), Ctrl-C stops the run at the end of the mini-batch that is
-- running. The network keeps every step taken, so it stays usable, and the
-- monitors and history of the epochs completed so far are returned, with
-- history.stopped = "interrupted" and history.interrupted_epoch (an epoch
-- cut short is not in the lists, and no checkpoint is written for it;
-- a Ctrl-C while an epoch's monitors run lets that epoch finish).
--
-- Checkpoints: with checkpoint = path the run is saved (atomically) after
-- every checkpoint_every epochs, after the last and when it stops early:
-- parameters and batch-norm state, the optimizer's state (momentum's
-- velocity), lunet's random stream, the epoch, eta, the schedule's and early
-- stopping's counters and the history. resume = path continues such a run:
-- make the model, the data (and lunet.data.expand) as for the first run, and
-- call again with the same options; epochs counts from the run's start, so
-- training 2 epochs with checkpoint, then resume with epochs = 4, gives bit
-- for bit the network (and monitors) of 4 epochs in one go. A run stopped
-- by on_epoch, on_monitor or Ctrl-C resumes the same way (an epoch cut
-- short gets no checkpoint); one ended by early stopping or the schedule
-- stays ended. A checkpoint
-- that does not match the model, the data or the options is refused with
-- the difference named, and nothing is changed. (Bit for bit on the same
-- number of threads: another count sums weight gradients in another order.)

local core = require "lunet.core"
local checkpoint = require "lunet.checkpoint"
local errors = require "lunet.errors"
local opts_check = require "lunet.opts"

local train = {}

-- Whether Ctrl-C stops training when the options do not say (the prompt
-- sets it; see interruptible above).
train.interruptible = false

local DEFAULTS = {
  batch = 10, lambda = 0, reg = "l2", momentum = 0, nesterov = false,
  verbose = true, progress = true, gradient_norms = false,
}

local KNOWN = {
  epochs = true, batch = true, mini_batch_size = true,
  eta = true, lambda = true, lmbda = true, reg = true, momentum = true,
  nesterov = true, evaluation_data = true, monitor_evaluation_cost = true, monitor_evaluation_accuracy = true,
  monitor_training_cost = true, monitor_training_accuracy = true, schedule = true, early_stopping = true,
  gradient_norms = true, verbose = true, progress = true, on_epoch = true, cost = true, out = true,
  checkpoint = true, checkpoint_every = true, resume = true, optimizer = true,
  saturation = true, monitor_every = true, monitor_data = true, on_monitor = true, interruptible = true,
}

-- Options that are true or false: a 1 or a "yes" is refused, not taken as true.
local BOOLEAN = {
  "nesterov", "verbose", "progress", "interruptible", "monitor_evaluation_cost",
  "monitor_evaluation_accuracy", "monitor_training_cost", "monitor_training_accuracy",
}

-- Every message names the function the user called (lunet.train.sgd,
-- Network:SGD ...) and blames the user's line (lunet.errors).
local current = "lunet.train"
local function fail(msg, ...)
  errors.fail(current, msg, ...)
end

local function unknown_option(k)
  local valid = {}
  for name in pairs(KNOWN) do valid[#valid + 1] = name end
  table.sort(valid)
  local shown = type(k) == "string" and "'" .. k .. "'" or math.type(k) and tostring(k) or "a " .. type(k) .. " key"
  fail("unknown option %s (valid: %s)%s", shown, table.concat(valid, ", "), opts_check.hint({ k }, valid))
end

--- train.plain_options(opts [, fname]) -> table
-- train.sgd's options as a plain table: opts's own keys, walked raw (a
-- __pairs metamethod never runs; an unknown key is an error naming fname),
-- and the options an __index supplies, read as every option table's are
-- (they had been dropped, silently: lambda inherited from a table of
-- defaults trained without it). Network:SGD reads its options with it.
function train.plain_options(opts, fname)
  current = fname or current
  if rawget(opts, "x") ~= nil and rawget(opts, "y") ~= nil then
    fail("the options are a data set (x, y): give evaluation data as "
      .. "{evaluation_data = set, monitor_evaluation_accuracy = true}")
  end
  local o = {}
  for k, v in next, opts do
    if not KNOWN[k] then unknown_option(k) end
    o[k] = v
  end
  local names = {}
  for k in pairs(KNOWN) do names[#names + 1] = k end
  table.sort(names)   -- an __index with side effects sees the same order every run
  for _, k in ipairs(names) do
    if o[k] == nil then o[k] = opts[k] end
  end
  return o
end

-- A nested option table (schedule = {patience =}, saturation = {eps =, data =}):
-- its keys are checked as the options themselves are.
local function nested(k, v, valid)
  local bad, why = opts_check.unknown(v, valid)
  if not bad then fail("%s: %s", k, why) end
  if #bad > 0 then
    local names = table.move(valid, 1, #valid, 1, {})
    table.sort(names)
    fail("%s: unknown option '%s' (valid: %s)%s", k, bad[1], table.concat(names, ", "), opts_check.hint(bad, valid))
  end
end

-- The options whose values were taken as given and failed later, deep in
-- the trainer ("attempt to index a number value"), or never (reg = "l3"
-- without lambda, verbose = 1).
local function check_values(o)
  for _, k in ipairs(BOOLEAN) do
    if type(o[k]) ~= "boolean" and o[k] ~= nil then
      fail("option '%s' must be true or false, got %s", k, type(o[k]))
    end
  end
  if o.reg ~= "l2" and o.reg ~= "l1" then fail("reg must be \"l2\" or \"l1\", got %s", opts_check.shown(o.reg)) end
  -- false, as nil, means none: the trainer reads these as conditions
  for _, k in ipairs { "on_epoch", "on_monitor" } do
    if o[k] and type(o[k]) ~= "function" then fail("%s must be a function", k) end
  end
  if o.out and type(o.out) ~= "userdata" and type(o.out) ~= "table" then
    fail("out must be a file (io.stdout) or a table with write and flush, got %s", type(o.out))
  end
  if type(o.saturation) == "table" then nested("saturation", o.saturation, { "eps", "data" }) end
  local g = o.gradient_norms
  if g ~= nil and type(g) ~= "boolean" then
    if type(g) ~= "table" then fail("gradient_norms must be true, false or {data = set}, got %s", type(g)) end
    nested("gradient_norms", g, { "data" })
  end
end

-- The learning-rate schedule's table, checked and copied (its fields are
-- read at every epoch: an __index could change them between reads).
local SCHEDULE_KEYS = { "patience", "factor", "stop_ratio" }
local function schedule_options(t)
  if type(t) ~= "table" then
    fail("schedule must be a table {patience =, factor =, stop_ratio =}, got %s", type(t))
  end
  nested("schedule", t, SCHEDULE_KEYS)
  local s = { patience = t.patience, factor = t.factor, stop_ratio = t.stop_ratio }
  if s.patience ~= nil and (math.type(s.patience) ~= "integer" or s.patience < 1) then
    fail("schedule.patience must be a positive integer (epochs), got %s", opts_check.shown(s.patience))
  end
  if s.factor ~= nil and (type(s.factor) ~= "number" or not (s.factor > 0 and s.factor < 1)) then
    fail("schedule.factor must be a number in (0, 1) (eta is multiplied by it), got %s", opts_check.shown(s.factor))
  end
  if s.stop_ratio ~= nil and (type(s.stop_ratio) ~= "number" or s.stop_ratio ~= s.stop_ratio or s.stop_ratio <= 1) then
    fail("schedule.stop_ratio must be a number > 1 (training stops when eta falls that far), got %s",
      opts_check.shown(s.stop_ratio))
  end
  return s
end

local function options(opts)
  if opts ~= nil and type(opts) ~= "table" then fail("options must be a table, got %s", type(opts)) end
  local o = train.plain_options(opts or {})
  -- one of them had been taken over the other, silently
  if o.lambda ~= nil and o.lmbda ~= nil then fail("give lambda or lmbda, not both") end
  for k, v in pairs(DEFAULTS) do
    if o[k] == nil then o[k] = v end
  end
  o.lambda = o.lmbda or o.lambda
  if o.interruptible == nil then o.interruptible = train.interruptible end
  check_values(o)
  if o.mini_batch_size ~= nil then
    if opts.batch ~= nil then fail("give batch or mini_batch_size, not both") end
    o.batch, o.mini_batch_size = o.mini_batch_size, nil
  end
  if math.type(o.epochs) ~= "integer" or o.epochs < 1 then fail("epochs must be a positive integer") end
  if math.type(o.batch) ~= "integer" or o.batch < 1 then
    fail("mini-batch size must be a positive integer, got %s", opts_check.shown(o.batch))
  end
  if (o.eta ~= nil or (o.optimizer or "sgd") == "sgd")
    and (type(o.eta) ~= "number" or o.eta ~= o.eta or o.eta <= 0 or o.eta == math.huge) then
    if o.eta == nil then
      fail("eta must be a finite positive number, and plain SGD has no default: give eta (the adaptive optimizers "
        .. "default to PyTorch's)")
    end
    fail("eta must be a finite positive number, got %s", opts_check.shown(o.eta))
  end
  if type(o.lambda) ~= "number" or not (o.lambda >= 0 and o.lambda < math.huge) then
    fail("lambda must be a finite number >= 0, got %s", opts_check.shown(o.lambda))
  end
  for _, k in ipairs { "checkpoint", "resume" } do
    if o[k] ~= nil and type(o[k]) ~= "string" then fail("%s must be a file name", k) end
    -- C would stop at the zero byte and write or read a shorter name
    if o[k] and o[k]:find("\0", 1, true) then fail("%s must be a file name without a zero byte", k) end
  end
  if o.monitor_every ~= nil and (math.type(o.monitor_every) ~= "integer" or o.monitor_every < 1) then
    fail("monitor_every must be a positive number of training images")
  end
  if o.saturation ~= nil and type(o.saturation) ~= "boolean" and type(o.saturation) ~= "table" then
    fail("saturation must be true or {eps =, data =}")
  end
  if o.schedule ~= nil and o.schedule ~= false then o.schedule = schedule_options(o.schedule) else o.schedule = nil end
  if o.early_stopping ~= nil and o.early_stopping ~= false
    and (math.type(o.early_stopping) ~= "integer" or o.early_stopping < 1) then
    fail("early_stopping must be a positive integer (epochs without a better accuracy), got %s",
      opts_check.shown(o.early_stopping))
  end
  o.checkpoint_every = o.checkpoint_every or 1
  if math.type(o.checkpoint_every) ~= "integer" or o.checkpoint_every < 1 then
    fail("checkpoint_every must be a positive integer")
  end
  return o
end

local function is_kind(name)
  for _, k in ipairs(core.optimizer_kinds) do
    if k == name then return true end
  end
  return false
end

local function is_optimizer(x)
  local mt = getmetatable(x)
  return mt ~= nil and mt == core.optimizer_metatable
end

-- The core optimizer's options: the kind and its hyperparameters (from
-- opts.optimizer), eta, momentum and Nesterov (SGD's), the regularisation.
local function optimizer_options(o, n)
  local spec, t = o.optimizer or "sgd", {}
  if type(spec) == "table" then
    if type(spec.momentum) == "function" then fail("give a momentum schedule as the momentum option") end
    for k, v in next, spec do t[k] = v end   -- raw, as the options
    -- and what an __index supplies, read by the core as it reads any option table
    setmetatable(t, { __index = spec })
  elseif type(spec) == "string" then
    t.kind = spec
  else
    fail("optimizer must be a name, a table {kind = name, ...} or an optimizer object (lunet.optim.optimizer)")
  end
  t.kind = t.kind or "sgd"
  -- a value given in both places was silently taken from one of them
  for _, k in ipairs { "reg", "lambda", "n" } do
    if t[k] ~= nil then fail("optimizer.%s: %s", k, k == "n" and "n is set to the training set's size"
      or "give regularisation as lunet.train.sgd's own " .. k .. " option") end
  end
  if t.eta ~= nil and o.eta ~= nil and t.eta ~= o.eta then
    fail("eta is given twice (%s, and %s in the optimizer table): give it once", opts_check.shown(o.eta),
      opts_check.shown(t.eta))
  end
  for _, k in ipairs { "momentum", "nesterov" } do
    if t[k] ~= nil and o[k] ~= DEFAULTS[k] and t[k] ~= o[k] then
      fail("%s is given twice (%s, and %s in the optimizer table): give it once", k, tostring(o[k]), tostring(t[k]))
    end
  end
  if not is_kind(t.kind) then
    local kind = type(t.kind) == "string" and "'" .. t.kind .. "'" or opts_check.shown(t.kind)
    fail("unknown optimizer %s (%s)%s", kind, table.concat(core.optimizer_kinds, ", "),
      opts_check.hint({ t.kind }, core.optimizer_kinds))
  end
  if t.kind == "sgd" then
    if t.momentum == nil then t.momentum = o.momentum end
    if type(t.momentum) == "function" then t.momentum = train.momentum_at(t.momentum, 1) end
    if t.nesterov == nil then t.nesterov = o.nesterov end
  elseif o.momentum ~= 0 or o.nesterov then
    fail("momentum and nesterov are options of the sgd optimizer, not of %s", t.kind)
  end
  if o.eta ~= nil then t.eta = o.eta end
  for k, v in pairs { reg = o.lambda > 0 and o.reg or "none", lambda = o.lambda, n = n } do t[k] = v end
  return t
end

-- opts.optimizer as an object (lunet.optim.optimizer's, made for this
-- model): it brings its kind, hyperparameters, regularisation and state, so
-- a second run continues its moments; eta, when given, becomes its
-- learning rate, and a momentum schedule (a function) sets its momentum.
-- The values are checked here (by the object's own set, then put back) and
-- returned, with the object's own, for train.sgd to set once the whole call
-- is checked: a refused call (a missing resume file, monitor_every without
-- data ...) had left the object with the new eta or momentum.
local function optimizer_values(optim)
  return { eta = optim:eta(), momentum = optim:kind() == "sgd" and optim:get("momentum") or nil }
end

local function set_values(optim, v)
  optim:set_eta(v.eta)
  if v.momentum ~= nil then optim:set("momentum", v.momentum) end
end

local function given_optimizer(net, o)
  local optim = o.optimizer
  if o.lambda ~= 0 then
    fail("lambda and reg belong to the optimizer object: make it with {reg =, lambda =, n = training set size}")
  end
  if type(o.momentum) ~= "function" and o.momentum ~= 0 or o.nesterov then
    fail("momentum and nesterov belong to the optimizer object: make it with {kind = \"sgd\", momentum =, "
      .. "nesterov =} (a momentum schedule, a function, may be given here)")
  end
  local ok, err = pcall(optim.check, optim, net)
  if not ok then fail("%s", tostring(err)) end
  local before = optimizer_values(optim)
  if type(o.momentum) == "function" then
    local mu = train.momentum_at(o.momentum, 1)
    if optim:kind() ~= "sgd" then fail("a momentum schedule needs an sgd optimizer object, not %s", optim:kind()) end
    if optim:get("momentum") == 0 then fail("a momentum schedule needs an optimizer object made with momentum > 0") end
    ok, err = pcall(optim.set, optim, "momentum", mu)
    if not ok then fail("%s", tostring(err)) end
  end
  if o.eta ~= nil then
    ok, err = pcall(optim.set_eta, optim, o.eta)
    if not ok then
      set_values(optim, before)
      fail("%s", tostring(err))
    end
  end
  local after = optimizer_values(optim)
  set_values(optim, before)
  return optim, after, before
end

--- train.momentum_at(schedule, epoch) -> number
-- schedule(epoch), checked to be a number in (0, 1); an error otherwise.
function train.momentum_at(schedule, epoch)
  local mu = schedule(epoch)
  if type(mu) ~= "number" or not (mu > 0 and mu < 1) then
    fail("momentum(%d) must be a number in (0, 1), got %s", epoch, type(mu) == "number" and tostring(mu)
      or ("%s %s"):format(type(mu), tostring(mu)))
  end
  return mu
end

--- train.sutskever(mu_max, updates) -> function(epoch) -> mu
-- Sutskever et al.'s momentum schedule (2013), mu_t = min(1 - 2^(-1 -
-- log2(floor(t / 250) + 1)), mu_max) after t updates, taken at the start of
-- each epoch of `updates` mini-batches: 0.5 first, rising towards mu_max.
function train.sutskever(mu_max, updates)
  current = "lunet.train.sutskever"
  if type(mu_max) ~= "number" or not (mu_max > 0 and mu_max < 1) then fail("mu_max must be in (0, 1)") end
  if math.type(updates) ~= "integer" or updates < 1 then fail("updates per epoch must be a positive integer") end
  return function(epoch)
    local t = (epoch - 1) * (updates + 0.0)   -- a float: epochs x 2^62 updates wrapped around to < 0
    return math.min(1 - 2 ^ (-1 - math.log(t // 250 + 1, 2)), mu_max)
  end
end

--- train.size(data) -> integer
-- The number of samples of a data set {x =, y = [, n =]} (n counts an
-- expanded set's virtual samples); an error when `data` is not a data set.
function train.size(data)
  if type(data) ~= "table" or data.x == nil or data.y == nil then
    errors.raise("a data set is a table {x = inputs, y = labels or targets}")
  end
  return data.n or data.x:size(1)
end

-- A data set table, or an error naming the function, the argument and what came instead.
local function data_set(data, what)
  if type(data) ~= "table" or data.x == nil or data.y == nil then
    local got = core.is_tensor(data) and "a tensor"
      or type(data) == "table" and "a table without " .. (data.x == nil and (data.y == nil and "x and y" or "x") or "y")
      or type(data)
    fail("%s: a data set is a table {x = inputs, y = labels or targets}, got %s", what, got)
  end
end

-- The model argument: lunet.train.sgd(nil, ...) failed inside with "attempt to index a nil value".
local function check_model(model)
  if type(model) ~= "table" or rawget(model, "_layers") == nil then
    fail("the first argument must be a model (a Network, an nn.Sequential, a layer), got %s",
      model == nil and "nothing" or "a " .. type(model))
  end
end

-- A step layer passes no gradient. The core refuses it too, but only inside
-- the epoch, where its message named train_epoch and blamed lunet's own line.
local function check_differentiable(model)
  for i, layer in ipairs(model:layers()) do
    if getmetatable(layer).__name == "Step" then
      fail("layer %d is a step activation: its derivative is 0 wherever it exists, so gradient-based training "
        .. "cannot learn through it (use the perceptron rule, lunet.perceptron.train, or sigmoid neurons)", i)
    end
  end
end

local function check_data(net, data, what)
  data_set(data, what)
  train.size(data)
  if not data.x:all_finite() then fail("%s inputs contain NaN or infinity", what) end
  local ok, err = pcall(core.check_data, net, data)
  if not ok then fail("%s: %s", what, tostring(err):gsub("^.-check_data: ", "")) end
end

-- The first n samples of a data set (no copy), for gradient norms.
local function head(data, n)
  local size = data.x:size(1)
  if size <= n then return { x = data.x, y = data.y } end
  return { x = data.x:narrow(1, 1, n), y = data.y:narrow(1, 1, n) }
end

local function record_norms(net, probe, history, epoch)
  local g = history.gradient_norms
  local bias, weight = core.gradient_norms(net, probe)
  g.epoch[#g.epoch + 1] = epoch
  for l = 1, #bias do
    g.bias[l] = g.bias[l] or {}
    g.weight[l] = g.weight[l] or {}
    table.insert(g.bias[l], bias[l])
    table.insert(g.weight[l], weight[l])
  end
end

local function record_saturation(net, o, history, epoch)
  local s = history.saturation
  local frac, layers = core.saturation(net, o.saturation_probe, o.saturation_eps)
  s.epoch[#s.epoch + 1] = epoch
  s.layer = layers
  for l = 1, #frac do
    s.fraction[l] = s.fraction[l] or {}
    table.insert(s.fraction[l], frac[l])
  end
end

local function measure(net, data, o)
  local cost, correct = core.evaluate(net, data, { reg = o.lambda > 0 and o.reg or "none", lambda = o.lambda })
  return cost, correct, correct / train.size(data)
end

local function print_epoch(epoch, o, h, secs)
  local parts = { ("Epoch %d/%d %.2fs"):format(epoch, o.epochs, secs) }
  local function add(name, list, fmt)
    if list[epoch] then parts[#parts + 1] = (fmt):format(name, list[epoch]) end
  end
  add("training cost", h.training_cost, "%s %.4f")
  if h.training_accuracy[epoch] then
    parts[#parts + 1] = ("training accuracy %.2f%%"):format(100 * h.training_accuracy[epoch])
  end
  add("evaluation cost", h.evaluation_cost, "%s %.4f")
  if h.evaluation_accuracy[epoch] then
    parts[#parts + 1] = ("evaluation accuracy %.2f%%"):format(100 * h.evaluation_accuracy[epoch])
  end
  if o.schedule then parts[#parts + 1] = ("eta %g"):format(h.eta[epoch]) end
  local out = o.out or io.stdout
  out:write(table.concat(parts, "  "), "\n")
  out:flush()
end

-- Learning-rate schedule and early stopping, both on validation accuracy.
local function watch(o, h, epoch, optim, state)
  local acc = h.evaluation_accuracy[epoch]
  if acc > state.best then
    state.best, state.best_epoch, state.stale, state.stale_eta = acc, epoch, 0, 0
  else
    state.stale, state.stale_eta = state.stale + 1, state.stale_eta + 1
  end
  if o.early_stopping and state.stale >= o.early_stopping then return "early stopping" end
  if o.schedule and state.stale_eta >= (o.schedule.patience or 10) then
    state.eta = state.eta * (o.schedule.factor or 0.5)
    state.stale_eta = 0
    if state.eta <= o.eta / (o.schedule.stop_ratio or 128) + 1e-300 then return "schedule" end
    optim:set_eta(state.eta)
  end
end

-- What a resumed run must share with the one it continues, as plain values.
-- The momentum is the optimizer's own, wherever it was given (beside, in
-- the optimizer table, in an optimizer object): the core does not compare
-- it, since a schedule changes it, and restores the saved one.
local function fingerprint(o, optim, training_data, eval)
  local mu = o.momentum
  if type(mu) == "function" then
    mu = "schedule"
  elseif o.kind == "sgd" and optim:get("momentum") ~= mu then
    mu = optim:get("momentum")
  end
  local f = { batch = o.batch, eta = o.eta, optimizer = o.kind, momentum = mu,
    nesterov = o.nesterov == true,
    reg = o.lambda > 0 and o.reg or "none", lambda = o.lambda, samples = train.size(training_data),
    early_stopping = o.early_stopping or false, evaluation_samples = eval and train.size(eval) or false,
    schedule = false, expansion = false }
  if o.schedule then
    f.schedule = ("patience %s factor %s stop_ratio %s"):format(o.schedule.patience or 10,
      o.schedule.factor or 0.5, o.schedule.stop_ratio or 128)
  end
  local ex = training_data.expand
  if ex then
    local parts = {}
    for i, t in ipairs(ex.transforms) do
      parts[i] = ("%s %s %s %s %s"):format(t.kind, t.dx or 0, t.dy or 0, t.max_degrees or 0, t.seed or 0)
      if t.kind == "skew" or t.kind == "elastic" then
        parts[i] = parts[i] .. (" %s %s %s"):format(t.max_skew or 0, t.alpha or 0, t.sigma or 0)
      end
    end
    f.expansion = table.concat(parts, ", ")
  end
  if o.checkpoint or o.resume then   -- the values themselves (one pass over the data)
    f.data = core.tensor_digest(training_data.x) .. " " .. core.tensor_digest(training_data.y)
    f.evaluation_data = eval and core.tensor_digest(eval.x) .. " " .. core.tensor_digest(eval.y) or false
  end
  return f
end

-- Fingerprint keys that checkpoints of older versions lack: not compared there.
local LATER = { data = "training set", evaluation_data = "evaluation set" }

local function check_fingerprint(saved, f, path)
  if type(saved) ~= "table" then fail("resume: %s does not hold a training run", path) end
  for k, v in pairs(f) do   -- a size or an option first: the digests differ then too
    if not LATER[k] and saved[k] ~= v then
      fail("resume: %s was made with %s = %s, this run has %s", path, k, tostring(saved[k]), tostring(v))
    end
  end
  for k, what in pairs(LATER) do
    if saved[k] ~= nil and saved[k] ~= f[k] then
      fail("resume: %s was made with another %s (the same size, other values)", path, what)
    end
  end
end

-- The trainer's state as the checkpoint stores it, checked on reading.
-- t is a list of numbers (depth 1) or of such lists (depth 2), read raw.
local function numbers(t, depth)
  if type(t) ~= "table" then return false end
  local k, v = next(t)
  while k ~= nil do
    if math.type(k) ~= "integer" or k < 1 then return false end
    if depth > 1 then
      if not numbers(v, depth - 1) then return false end
    elseif type(v) ~= "number" then
      return false
    end
    k, v = next(t, k)
  end
  return true
end

-- The lists a resumed run appends to, with their depths: a string among
-- the seconds, or a number where the monitor's lists belong, had failed
-- inside the first epoch ("attempt to index a number value"), after the
-- network and optimizer had been restored.
local HISTORY_LISTS = { epoch = 1, eta = 1, seconds = 1, training_cost = 1, training_accuracy = 1,
  evaluation_cost = 1, evaluation_accuracy = 1 }
local HISTORY_PARTS = {
  momentum = true,
  gradient_norms = { epoch = 1, bias = 2, weight = 2 },
  saturation = { epoch = 1, layer = 1, fraction = 2 },
  monitor = { images = 1, seconds = 1, evaluation_cost = 1, evaluation_accuracy = 1, training_cost = 1,
    training_accuracy = 1 },
  -- network3's SGD keeps its best accuracies here: a NaN best had been
  -- returned as the run's best, a string had failed in its epoch callback
  network3 = function(n3)
    local function fraction(v) return type(v) == "number" and v >= 0 and v <= 1 end
    return type(n3) == "table" and (n3.best == -1 or fraction(n3.best)) and math.type(n3.best_epoch) == "integer"
      and n3.best_epoch >= 0 and (n3.best_test == nil or fraction(n3.best_test))
  end,
}

local function history_fits(h)
  for k, depth in pairs(HISTORY_LISTS) do
    if not numbers(h[k], depth) then return false end
  end
  for k, part in pairs(HISTORY_PARTS) do
    local v = rawget(h, k)
    if v ~= nil then
      if part == true then
        if not numbers(v, 1) then return false end
      elseif type(part) == "function" then
        if not part(v) then return false end
      else
        if type(v) ~= "table" then return false end
        for name, depth in pairs(part) do
          if not numbers(v[name], depth) then return false end
        end
        -- monitor_fn reads every list of the monitor at each point
        if k == "monitor" and next(v) ~= nil then
          local name = next(v)
          while name ~= nil do
            if part[name] == nil then return false end
            name = next(v, name)
          end
        end
      end
    end
  end
  return true
end

local function check_run(run, path)
  -- (the next epoch, run.epoch + 1, must not wrap around to -2^63)
  local ok = type(run) == "table" and math.type(run.epoch) == "integer" and run.epoch >= 1
    and run.epoch < math.maxinteger
    and type(run.state) == "table" and type(run.history) == "table" and type(run.book) == "table"
  if ok then
    -- counters are counts, best a count or -1 and eta a rate: a NaN there
    -- would never compare true, and early stopping or the schedule would
    -- silently never fire (or always)
    local st = run.state
    for _, k in ipairs { "best_epoch", "stale", "stale_eta" } do
      ok = ok and math.type(st[k]) == "integer" and st[k] >= 0
    end
    ok = ok and type(st.best) == "number" and st.best >= -1 and st.best < math.huge
      and type(st.eta) == "number" and st.eta > 0 and st.eta < math.huge
    ok = ok and history_fits(run.history)
    for i = 1, 4 do ok = ok and numbers(run.book[i], 1) end
  end
  if not ok then fail("resume: %s does not hold a lunet training run", path) end
  return run
end

local function decode_run(text, path)
  local ok, run = pcall(checkpoint.decode, text)
  if not ok then fail("resume: %s: %s", path, run) end
  return check_run(run, path)
end

-- Restores net, optimizer, stream and trainer state from o.resume (after
-- checking that it fits); returns the saved run.
local function resume(net, optim, o, f)
  local ok, text = pcall(core.checkpoint_text, o.resume)
  if not ok then fail("resume: %s", tostring(text):gsub("^.-checkpoint_text: ", "")) end
  check_fingerprint(decode_run(text, o.resume).options, f, o.resume)
  ok, text = pcall(core.checkpoint_load, o.resume, net, optim)
  if not ok then fail("resume: %s", tostring(text):gsub("^.-checkpoint_load: ", "")) end
  local run = decode_run(text, o.resume)
  check_fingerprint(run.options, f, o.resume)
  return run
end

local function save(net, optim, o, run)
  local ok, err = pcall(core.checkpoint_save, o.checkpoint, net, optim, checkpoint.encode(run))
  if not ok then fail("checkpoint: %s", tostring(err):gsub("^.-checkpoint_save: ", "")) end
end

local function new_history(o, net)
  local h = { epoch = {}, eta = {}, seconds = {}, training_cost = {}, training_accuracy = {},
    evaluation_cost = {}, evaluation_accuracy = {} }
  if o.gradient_norms then
    h.gradient_norms = { epoch = {}, bias = {}, weight = {} }
    record_norms(net, o.probe, h, 0)
  end
  if o.saturation_probe then
    h.saturation = { epoch = {}, layer = {}, fraction = {} }
    record_saturation(net, o, h, 0)
  end
  if o.monitor_every then
    h.monitor = { images = {}, seconds = {}, evaluation_cost = {}, evaluation_accuracy = {}, training_cost = {},
      training_accuracy = {} }
  end
  return h
end

-- Mini-batches between two monitors: monitor_every images, rounded up.
local function monitor_batches(o)
  return (o.monitor_every + o.batch - 1) // o.batch
end

-- The function the C epoch calls after every monitor_batches(o)
-- mini-batches (and after the epoch's last, shorter piece, which is not
-- a monitoring point). Seconds count training only, over all epochs.
-- When on_monitor stops the run, stop.cut says whether mini-batches of
-- the epoch were left.
local function monitor_fn(net, o, h, epoch, n, stop)
  local m, per, before = h.monitor, monitor_batches(o), 0
  for e = 1, epoch - 1 do before = before + (h.seconds[e] or 0) end
  return function(done, total, secs)
    if done % per ~= 0 then return true end
    local k = #m.images + 1
    m.images[k] = (epoch - 1) * n + math.min(done * o.batch, n)
    m.seconds[k] = before + secs
    local cost, _, frac = measure(net, o.monitor_data, o)
    m.evaluation_cost[k], m.evaluation_accuracy[k] = cost, frac
    cost, _, frac = measure(net, o.monitor_train, o)
    m.training_cost[k], m.training_accuracy[k] = cost, frac
    local record = { epoch = epoch }
    for key, list in pairs(m) do record[key] = list[k] end
    if o.on_monitor and o.on_monitor(record) == false then
      stop.cut = done < total
      return false
    end
    return true
  end
end

-- The line printed when Ctrl-C stopped the run in epoch `epoch`.
local function say_interrupted(o, h, epoch, cut)
  local done = #h.epoch
  local out = o.out or io.stdout
  out:write(("training interrupted (Ctrl-C) %s epoch %d/%d: the network keeps its updates; "
    .. "returning the monitors and history of %d complete epoch%s (history.stopped = \"interrupted\")\n")
    :format(cut and "during" or "after", epoch, o.epochs, done, done == 1 and "" or "s"))
  out:flush()
end

local function finish(h, book, state)
  h.best_epoch, h.best_accuracy = state.best_epoch, state.best >= 0 and state.best or nil
  return book[1], book[2], book[3], book[4], h
end

--- train.sgd(model, training_data, opts) -> ev_cost, ev_acc, tr_cost, tr_acc, history
-- Trains `model` (any Sequential with a cost, or opts.cost) by mini-batch
-- stochastic gradient descent, each epoch in C. Options (unknown keys are
-- errors): epochs (required), batch = 10 (the mini-batch size; the book's
-- name mini_batch_size is accepted too), eta (required
-- for "sgd"), lambda = 0 (or lmbda) with reg = "l2" | "l1", momentum = 0 (a
-- number or a function of the epoch), nesterov = false, optimizer = "sgd" |
-- "adam" | "adamw" | "adamax" | "adagrad" | "rmsprop" or {kind =, ...hyperparameters}
-- (eta, momentum, nesterov there and beside it must agree; lambda, reg, n
-- belong beside it; a float32 network refuses values float32 rounds out of range)
-- or an optimizer object (lunet.optim.optimizer(model, {...}): it keeps its
-- regularisation, momentum and state across calls; eta given here becomes
-- its learning rate; lambda, reg, a numeric momentum and nesterov are refused),
-- evaluation_data, monitor_evaluation_cost / _accuracy, monitor_training_cost /
-- _accuracy, schedule = {patience = 10, factor = 0.5, stop_ratio = 128},
-- early_stopping = n, gradient_norms (true or {data =}: the samples
-- measured, by default the first 1,000 training samples),
-- saturation (true or {eps =, data =}), monitor_every = images with
-- monitor_data and on_monitor (monitors inside epochs: the epoch stops at
-- those points in C and comes back to Lua, never per mini-batch),
-- verbose = true, progress = true, on_epoch = function(epoch, history) (false
-- stops), cost (for a model without one), out = io.stdout (where epoch lines
-- go), checkpoint, checkpoint_every = 1, resume, interruptible =
-- train.interruptible (true at the lunet prompt: Ctrl-C ends the run after
-- the current mini-batch, returning what it has, history.stopped =
-- "interrupted"). Returns the
-- book's four per-epoch lists (evaluation cost, evaluation accuracy as counts,
-- training cost, training accuracy as counts) and the history, whose
-- accuracies are fractions in [0, 1] (see the top of lunet/train.lua).
-- Printed accuracies are percentages.
function train.sgd(model, training_data, opts, fname)
  current = fname or "lunet.train.sgd"
  check_model(model)
  local o = options(opts)
  if o.cost and not model:cost() then   -- refused as this function's, not as model:set_cost's
    local ok, err = pcall(model.set_cost, model, o.cost)
    if not ok then fail("%s", (errors.message(err):gsub("^%S+:set_cost: ", "", 1))) end
  end
  if not model:cost() then fail("the model has no cost: pass opts.cost or call model:set_cost(name)") end
  data_set(training_data, "training data")
  if o.evaluation_data ~= nil then data_set(o.evaluation_data, "evaluation_data") end
  local net = model:net(training_data.x)
  check_differentiable(model)
  local n = train.size(training_data)
  check_data(net, training_data, "training data")
  local eval = o.evaluation_data
  if eval then check_data(net, eval, "evaluation data") end
  if (o.schedule or o.early_stopping) and not eval then
    fail("the learning-rate schedule and early stopping need evaluation_data")
  end
  local optim, given, before
  if is_optimizer(o.optimizer) then
    optim, given, before = given_optimizer(net, o)
  else
    local ok
    ok, optim = pcall(core.optimizer, net, optimizer_options(o, n))
    if not ok then fail("%s", opts_check.with_hint((tostring(optim):gsub("^.-optimizer: ", "")))) end
  end
  o.eta, o.kind = given and given.eta or optim:eta(), optim:kind()
  if o.gradient_norms then
    o.probe = type(o.gradient_norms) == "table" and o.gradient_norms.data or head(training_data, 1000)
    check_data(net, o.probe, "gradient_norms data")
  end
  if o.saturation then
    local s = type(o.saturation) == "table" and o.saturation or {}
    o.saturation_probe, o.saturation_eps = s.data or head(training_data, 1000), s.eps or 0.01
    check_data(net, o.saturation_probe, "saturation data")
  end
  if o.monitor_every then
    o.monitor_data = o.monitor_data or (eval and head(eval, 1000))
    if not o.monitor_data then fail("monitor_every needs evaluation_data or monitor_data") end
    check_data(net, o.monitor_data, "monitor data")
    o.monitor_train = head(training_data, train.size(o.monitor_data))
  end
  local f = fingerprint(o, optim, training_data, eval)
  -- Ctrl-C sets a flag until the guard closes, however this function ends
  local guard <close> = o.interruptible and core.catch_interrupts() or nil
  local function interrupted() return guard ~= nil and core.interrupted() end
  local h, book, state, first
  if given then set_values(optim, given) end   -- the call is checked, but for the resume file
  if o.resume then
    local ok, run = pcall(resume, net, optim, o, f)
    if not ok then
      if before then set_values(optim, before) end
      error(run, 0)
    end
    h, book, state, first = run.history, run.book, run.state, run.epoch + 1
    if run.stopped then return finish(h, book, state) end
    if o.probe and not h.gradient_norms then h.gradient_norms = { epoch = {}, bias = {}, weight = {} } end
    if o.saturation_probe and not h.saturation then h.saturation = { epoch = {}, layer = {}, fraction = {} } end
    if o.monitor_every and not h.monitor then
      h.monitor = { images = {}, seconds = {}, evaluation_cost = {}, evaluation_accuracy = {}, training_cost = {},
        training_accuracy = {} }
    end
    if type(o.momentum) == "function" then h.momentum = h.momentum or {} end
  else
    h, book = new_history(o, net), { {}, {}, {}, {} }  -- evaluation cost, evaluation accuracy
    if type(o.momentum) == "function" then h.momentum = {} end
    state = { best = -1, best_epoch = 0, stale = 0, stale_eta = 0, eta = o.eta }  -- (count), training cost,
    first = 1                                                                     -- accuracy (count)
  end
  local measure_eval = eval and (o.monitor_evaluation_cost or o.monitor_evaluation_accuracy or o.schedule
    or o.early_stopping)
  h.stopped = "epochs"
  local run_seconds = 0
  for epoch = first, o.epochs do
    if h.momentum then
      h.momentum[epoch] = train.momentum_at(o.momentum, epoch)
      optim:set("momentum", h.momentum[epoch])
    end
    local monitor_stop = {}
    local secs, halted = core.train_epoch(net, optim, training_data, o.batch,
      { progress = o.progress, label = ("epoch %d/%d"):format(epoch, o.epochs), run_seconds = run_seconds,
        epochs_left = o.epochs - epoch, every = o.monitor_every and monitor_batches(o),
        monitor = o.monitor_every and monitor_fn(net, o, h, epoch, n, monitor_stop) })
    run_seconds = run_seconds + secs
    if interrupted() then
      h.stopped, h.interrupted_epoch = "interrupted", epoch
      say_interrupted(o, h, epoch, true)
      break
    end
    h.epoch[epoch], h.eta[epoch], h.seconds[epoch] = epoch, state.eta, secs
    if core.profile_enabled() then   -- LUNET_PROFILE=1 or lunet.profile(true): this epoch's table
      local profile = require "lunet.profile"
      print(profile.text())
      profile.restart()
    end
    if o.monitor_training_cost or o.monitor_training_accuracy then
      local cost, correct, frac = measure(net, training_data, o)
      if o.monitor_training_cost then h.training_cost[epoch], book[3][epoch] = cost, cost end
      if o.monitor_training_accuracy then h.training_accuracy[epoch], book[4][epoch] = frac, correct end
    end
    if measure_eval then
      local cost, correct, frac = measure(net, eval, o)
      if o.monitor_evaluation_cost then h.evaluation_cost[epoch], book[1][epoch] = cost, cost end
      h.evaluation_accuracy[epoch] = frac
      if o.monitor_evaluation_accuracy then book[2][epoch] = correct end
    end
    if o.probe then record_norms(net, o.probe, h, epoch) end
    if o.saturation_probe then record_saturation(net, o, h, epoch) end
    if o.verbose then print_epoch(epoch, o, h, secs) end
    local ended = measure_eval and watch(o, h, epoch, optim, state)   -- early stopping, the schedule
    local stop = ended
    if o.on_epoch and o.on_epoch(epoch, h) == false then stop = "callback" end
    if halted then stop = "monitor" end
    if not stop and interrupted() then stop = "interrupted" end
    if stop then h.stopped = stop end
    -- An epoch that on_monitor cut short gets no checkpoint, as one Ctrl-C
    -- cut short: the one before stays, and resuming runs that epoch whole.
    if o.checkpoint and not monitor_stop.cut and (epoch % o.checkpoint_every == 0 or stop or epoch == o.epochs) then
      -- a run stopped by early stopping or the schedule is over; one stopped
      -- by on_epoch, on_monitor or Ctrl-C can be resumed
      save(net, optim, o, { epoch = epoch, options = f, state = state, history = h, book = book,
        stopped = ended or nil })
    end
    if stop == "interrupted" then
      h.interrupted_epoch = epoch
      say_interrupted(o, h, epoch, false)
    end
    if stop then break end
  end
  return finish(h, book, state)
end

--- train.evaluate(model, data [, lambda = 0 [, reg = "l2"]]) -> cost, correct
-- The mean cost over `data` (plus the L2 or L1 penalty for lambda > 0, scaled
-- by the size of `data`) and the number (a count) of samples classified right,
-- in evaluation mode.
function train.evaluate(model, data, lambda, reg, fname)
  current = fname or "lunet.train.evaluate"
  check_model(model)
  data_set(data, "data")
  lambda = lambda or 0
  if type(lambda) ~= "number" or not (lambda >= 0 and lambda < math.huge) then
    fail("lambda must be a finite number >= 0, got %s", opts_check.shown(lambda))
  end
  if reg ~= nil and reg ~= "l2" and reg ~= "l1" then
    fail("reg must be \"l2\" or \"l1\", got %s", opts_check.shown(reg))
  end
  local net = model:net(data.x)
  check_data(net, data, "data")
  local cost, correct = core.evaluate(net, data, { reg = lambda > 0 and (reg or "l2") or "none", lambda = lambda })
  return cost, correct
end

--- lunet.train.correct(model, data) -> integer
-- How many samples of `data` the model classifies right (largest output at the
-- label), in evaluation mode; the cost is not computed.
function train.correct(model, data)
  current = "lunet.train.correct"
  check_model(model)
  data_set(data, "data")
  local net = model:net(data.x)
  check_data(net, data, "data")
  local _, correct = core.evaluate(net, data, { cost = false })
  return correct
end

--- train.gradient_norms(model, data) -> bias_norms, weight_norms
-- ||dC/db|| and ||dC/dW|| per layer with parameters, C averaged over data.
function train.gradient_norms(model, data)
  current = "lunet.train.gradient_norms"
  check_model(model)
  data_set(data, "data")
  local net = model:net(data.x)
  if not model:cost() then fail("the model has no cost") end
  check_differentiable(model)
  check_data(net, data, "data")
  return core.gradient_norms(net, data)
end

return train
