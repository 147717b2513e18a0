-- lunet.train: mini-batch stochastic gradient descent for any Module with
-- a cost, epoch by epoch. Each epoch runs entirely in C (shuffle, gather,
-- forward, backward, update, progress bar); this file only orchestrates:
-- monitoring, the learning-rate schedule, early stopping, printing.
--
--   local history = train.sgd(model, training_data, {
--     epochs = 30, batch = 10, eta = 0.1,
--     lambda = 5.0, reg = "l2",                 -- or "l1"; biases are never regularised
--     momentum = 0.9, nesterov = false,         -- momentum as the lecture writes it, or a
--                                               -- function of the epoch (train.sutskever(0.99, n))
--     optimizer = "adam",                       -- or "adagrad", "rmsprop", "adamw", "sgd" (the
--                                               -- default), or {kind = "adam", beta1 = 0.8, ...}
--     evaluation_data = validation,
--     monitor_evaluation_accuracy = true,       -- and _cost, monitor_training_cost/_accuracy
--     schedule = { patience = 10 },             -- halve eta after 10 epochs without a better
--                                               -- validation accuracy; stop once it fell 128-fold
--     early_stopping = 10,                      -- stop after 10 epochs without improvement
--     gradient_norms = true,                    -- record ||dC/db|| per layer each epoch
--     verbose = true, progress = true,
--     checkpoint = "run.ckpt", checkpoint_every = 1,  -- save everything needed to resume every n epochs
--     resume = "run.ckpt",                      -- continue a run from its checkpoint, exactly
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
--   history.best_epoch, .best_accuracy, .stopped ("epochs", "early stopping", "schedule")
--
-- Monitors have no side effects: evaluation runs in evaluation mode and
-- gradient norms draw their dropout masks from a private stream, so turning
-- any of them on or off leaves the trained network bit for bit the same.
--
-- Checkpoints: with checkpoint = path the run is saved (atomically) after
-- every checkpoint_every epochs, after the last and when it stops early:
-- parameters and batch-norm state, the optimizer's state (momentum's
-- velocity), lunet's random stream, the epoch, eta, the schedule's and early
-- stopping's counters and the history. resume = path continues such a run:
-- make the model, the data (and lunet.data.expand) as for the first run, and
-- call again with the same options; epochs counts from the run's start, so
-- training 2 epochs with checkpoint, then resume with epochs = 4, gives bit
-- for bit the network (and monitors) of 4 epochs in one go. A checkpoint
-- that does not match the model, the data or the options is refused with
-- the difference named, and nothing is changed. (Bit for bit on the same
-- number of threads: another count sums weight gradients in another order.)

local core = require "lunet.core"
local checkpoint = require "lunet.checkpoint"

local train = {}

local DEFAULTS = {
  batch = 10, lambda = 0, reg = "l2", momentum = 0, nesterov = false,
  verbose = true, progress = true, gradient_norms = false,
}

local KNOWN = {
  epochs = true, batch = true, eta = true, lambda = true, lmbda = true, reg = true, momentum = true,
  nesterov = true, evaluation_data = true, monitor_evaluation_cost = true, monitor_evaluation_accuracy = true,
  monitor_training_cost = true, monitor_training_accuracy = true, schedule = true, early_stopping = true,
  gradient_norms = true, verbose = true, progress = true, on_epoch = true, cost = true, out = true,
  checkpoint = true, checkpoint_every = true, resume = true, optimizer = true,
}

local function fail(msg, ...)
  error("lunet.train: " .. msg:format(...), 3)
end

local function options(opts)
  local o = {}
  for k, v in pairs(opts or {}) do
    if not KNOWN[k] then fail("unknown option '%s'", tostring(k)) end
    o[k] = v
  end
  for k, v in pairs(DEFAULTS) do
    if o[k] == nil then o[k] = v end
  end
  o.lambda = o.lmbda or o.lambda
  if math.type(o.epochs) ~= "integer" or o.epochs < 1 then fail("epochs must be a positive integer") end
  if math.type(o.batch) ~= "integer" or o.batch < 1 then
    fail("mini-batch size must be a positive integer, got %s", tostring(o.batch))
  end
  if (o.eta ~= nil or (o.optimizer or "sgd") == "sgd")
    and (type(o.eta) ~= "number" or o.eta ~= o.eta or o.eta <= 0 or o.eta == math.huge) then
    fail("eta must be a finite positive number")
  end
  if type(o.lambda) ~= "number" or not (o.lambda >= 0 and o.lambda < math.huge) then
    fail("lambda must be a finite number >= 0")
  end
  for _, k in ipairs { "checkpoint", "resume" } do
    if o[k] ~= nil and type(o[k]) ~= "string" then fail("%s must be a file name", k) end
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

-- The core optimizer's options: the kind and its hyperparameters (from
-- opts.optimizer), eta, momentum and Nesterov (SGD's), the regularisation.
local function optimizer_options(o, n)
  local spec, t = o.optimizer or "sgd", {}
  if type(spec) == "table" then
    if type(spec.momentum) == "function" then fail("give a momentum schedule as the momentum option") end
    for k, v in pairs(spec) do t[k] = v end
  elseif type(spec) == "string" then
    t.kind = spec
  else
    fail("optimizer must be a name or a table {kind = name, ...}")
  end
  t.kind = t.kind or "sgd"
  if not is_kind(t.kind) then
    fail("unknown optimizer '%s' (%s)", tostring(t.kind), table.concat(core.optimizer_kinds, ", "))
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

-- The value of a momentum schedule at an epoch, checked.
function train.momentum_at(schedule, epoch)
  local mu = schedule(epoch)
  if type(mu) ~= "number" or not (mu > 0 and mu < 1) then
    fail("momentum(%d) must be a number in (0, 1), got %s", epoch, tostring(mu))
  end
  return mu
end

-- Sutskever et al.'s momentum schedule (2013), mu_t = min(1 - 2^(-1 -
-- log2(floor(t / 250) + 1)), mu_max) after t updates, taken at the start of
-- each epoch of `updates` mini-batches: 0.5 first, rising towards mu_max.
function train.sutskever(mu_max, updates)
  if type(mu_max) ~= "number" or not (mu_max > 0 and mu_max < 1) then fail("mu_max must be in (0, 1)") end
  if math.type(updates) ~= "integer" or updates < 1 then fail("updates per epoch must be a positive integer") end
  return function(epoch)
    local t = (epoch - 1) * updates
    return math.min(1 - 2 ^ (-1 - math.log(t // 250 + 1, 2)), mu_max)
  end
end

-- Number of samples of a data set, counting an expansion's virtual ones.
function train.size(data)
  if type(data) ~= "table" or data.x == nil or data.y == nil then
    error("a data set is a table {x = inputs, y = labels or targets}", 3)
  end
  return data.n or data.x:size(1)
end

local function check_data(net, data, what)
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
local function fingerprint(o, training_data, eval)
  local kind = type(o.optimizer) == "table" and o.optimizer.kind or o.optimizer or "sgd"
  local f = { batch = o.batch, eta = o.eta, optimizer = kind,
    momentum = type(o.momentum) == "function" and "schedule" or o.momentum,
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
    end
    f.expansion = table.concat(parts, ", ")
  end
  return f
end

local function check_fingerprint(saved, f, path)
  if type(saved) ~= "table" then fail("resume: %s does not hold a training run", path) end
  for k, v in pairs(f) do
    if saved[k] ~= v then
      fail("resume: %s was made with %s = %s, this run has %s", path, k, tostring(saved[k]), tostring(v))
    end
  end
end

-- The trainer's state as the checkpoint stores it, checked on reading.
local function check_run(run, path)
  local ok = type(run) == "table" and math.type(run.epoch) == "integer" and run.epoch >= 1
    and type(run.state) == "table" and type(run.history) == "table" and type(run.book) == "table"
  if ok then
    for _, k in ipairs { "best", "best_epoch", "stale", "stale_eta", "eta" } do
      ok = ok and type(run.state[k]) == "number"
    end
    for _, k in ipairs { "epoch", "eta", "seconds", "training_cost", "training_accuracy", "evaluation_cost",
      "evaluation_accuracy" } do
      ok = ok and type(run.history[k]) == "table"
    end
    for i = 1, 4 do ok = ok and type(run.book[i]) == "table" end
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
  return h
end

local function finish(h, book, state)
  h.best_epoch, h.best_accuracy = state.best_epoch, state.best >= 0 and state.best or nil
  return book[1], book[2], book[3], book[4], h
end

function train.sgd(model, training_data, opts)
  local o = options(opts)
  if o.cost and not model:cost() then model:set_cost(o.cost) end
  if not model:cost() then fail("the model has no cost: pass opts.cost or call model:set_cost(name)") end
  local net = model:net(training_data.x)
  local n = train.size(training_data)
  check_data(net, training_data, "training data")
  local eval = o.evaluation_data
  if eval then check_data(net, eval, "evaluation data") end
  if (o.schedule or o.early_stopping) and not eval then
    fail("the learning-rate schedule and early stopping need evaluation_data")
  end
  local ok, optim = pcall(core.optimizer, net, optimizer_options(o, n))
  if not ok then fail("%s", tostring(optim):gsub("^.-optimizer: ", "")) end
  o.eta = optim:eta()
  if o.gradient_norms then
    o.probe = type(o.gradient_norms) == "table" and o.gradient_norms.data or head(training_data, 1000)
  end
  local f = fingerprint(o, training_data, eval)
  local h, book, state, first
  if o.resume then
    local run = resume(net, optim, o, f)
    h, book, state, first = run.history, run.book, run.state, run.epoch + 1
    if run.stopped then return finish(h, book, state) end
    if o.probe and not h.gradient_norms then h.gradient_norms = { epoch = {}, bias = {}, weight = {} } end
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
  for epoch = first, o.epochs do
    if h.momentum then
      h.momentum[epoch] = train.momentum_at(o.momentum, epoch)
      optim:set("momentum", h.momentum[epoch])
    end
    local secs = core.train_epoch(net, optim, training_data, o.batch,
      { progress = o.progress, label = ("epoch %d/%d"):format(epoch, o.epochs) })
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
    if o.verbose then print_epoch(epoch, o, h, secs) end
    local stop = measure_eval and watch(o, h, epoch, optim, state)
    if o.on_epoch and o.on_epoch(epoch, h) == false then stop = "callback" end
    if stop then h.stopped = stop end
    if o.checkpoint and (epoch % o.checkpoint_every == 0 or stop or epoch == o.epochs) then
      -- a run stopped by early stopping or the schedule is over; one stopped
      -- by on_epoch can be resumed
      save(net, optim, o, { epoch = epoch, options = f, state = state, history = h, book = book,
        stopped = stop ~= "callback" and stop or nil })
    end
    if stop then break end
  end
  return finish(h, book, state)
end

-- Mean cost (with the L2/L1 penalty for lambda > 0) and correct count.
function train.evaluate(model, data, lambda, reg)
  local net = model:net(data.x)
  check_data(net, data, "data")
  lambda = lambda or 0
  local cost, correct = core.evaluate(net, data, { reg = lambda > 0 and (reg or "l2") or "none", lambda = lambda })
  return cost, correct
end

--- lunet.train.correct(model, data) -> integer
-- How many samples of `data` the model classifies right (largest output at the
-- label), in evaluation mode; the cost is not computed.
function train.correct(model, data)
  local net = model:net(data.x)
  check_data(net, data, "data")
  local _, correct = core.evaluate(net, data, { cost = false })
  return correct
end

-- ||dC/db|| and ||dC/dW|| per layer with parameters, C averaged over data.
function train.gradient_norms(model, data)
  local net = model:net(data.x)
  if not model:cost() then fail("the model has no cost") end
  check_data(net, data, "data")
  return core.gradient_norms(net, data)
end

return train
