-- lunet.tune: the experimenter's tools of the book's chapter 3.
--
--   local tune = lunet.tune
--   -- the learning-rate threshold: orders of magnitude, then refinement
--   local eta, curves = tune.eta_threshold { training = lunet.data.take(training, 1000), file = "eta.svg" }
--   -- grid search in worker processes (one per core), resumable
--   local results = tune.grid({ eta = {0.1, 0.5, 1, 3}, lambda = {0, 1, 5} }, {
--     training = training, validation = validation, epochs = 10, early_stopping = 3,
--     dir = "tune-run", jobs = 2,                  -- results.csv and results.svg go there
--   })
--   print(results[1].accuracy, results[1].config.eta)
--   -- random search over the same kind of space
--   tune.random({ eta = { min = 0.01, max = 10, log = true }, hidden = {30, 100} }, { trials = 20, ... })
--   -- mini-batch size against the wall-clock time to a validation accuracy
--   tune.batch_time { training = training, validation = validation, batches = {1, 10, 100}, target = 0.9 }
--
-- A configuration is a table of options. eta, lambda, batch, momentum and
-- optimizer go to lunet.train.sgd; every configuration is also given to
-- the `model` function that builds the network (default: a
-- lunet.Network with hidden layer sizes `hidden` (a number or a list,
-- default 30), `activation` and `cost`). Each run starts from
-- lunet.seed(seed), so a configuration gives the same result whichever
-- worker runs it and whatever else runs beside it.

local errors = require "lunet.errors"
local core = require "lunet.core"
local opts = require "lunet.opts"
local train = require "lunet.train"
local checkpoint = require "lunet.checkpoint"

local tune = {}

local function fail(fname, msg, ...)
  errors.raise(("lunet.tune.%s: %s"):format(fname, msg:format(...)))
end

local TRAIN_KEYS = { eta = true, lambda = true, batch = true, momentum = true, optimizer = true }
-- What a configuration may hold when the default model builds the network
-- (a model function of one's own may read any key).
local CONFIG_KEYS = { "eta", "lambda", "batch", "momentum", "optimizer", "hidden", "activation", "cost" }
-- A grid or a random search of more configurations would take longer than
-- anyone waits, and a grid of 10^9 ran out of memory while it was built.
local MAX_CONFIGS = 100000

local function check_set(fname, what, set)
  if type(set) ~= "table" or not core.is_tensor(set.x)
      or not core.is_tensor(set.y) then
    fail(fname, "%s must be a data set {x =, y =}", what)
  end
  -- the default model divides by the count of samples
  if set.x:dim() < 1 or set.x:size(1) < 1 then fail(fname, "%s must hold at least one sample", what) end
end

-- The default model has one output per class: a label of 10^12 asked for a
-- network of that many outputs, a label of 1.5 or -1 gave a wrong count.
local MAX_CLASSES = 100000
local function n_classes(fname, set)
  if set.y:dim() == 2 then return set.y:size(2) end
  local hi, lo = set.y:max(), set.y:min()
  if not (lo >= 0 and hi < MAX_CLASSES and hi == math.floor(hi)) then
    fail(fname, "training labels must be class numbers 0, 1, 2, ... (at most %d classes), got %s to %s",
      MAX_CLASSES, tostring(lo), tostring(hi))
  end
  return math.floor(hi) + 1
end

-- The default model: a Network n_in - hidden... - n_out.
local function default_model(fname, training)
  local n_in = training.x:numel() // training.x:size(1)
  local n_out = math.max(n_classes(fname, training), 2)
  return function(cfg)
    local hidden = cfg.hidden or 30
    local sizes = { n_in }
    for _, h in ipairs(type(hidden) == "table" and hidden or { hidden }) do sizes[#sizes + 1] = h end
    sizes[#sizes + 1] = n_out
    return require("lunet.network")(sizes, { activation = cfg.activation, cost = cfg.cost })
  end
end

-- A text that names a value completely: numbers with 17 digits, tables
-- with their keys sorted.
local function canonical(v)
  if type(v) == "number" then
    return math.type(v) == "integer" and ("%d"):format(v) or ("%.17g"):format(v)
  elseif type(v) == "table" then
    local keys, parts = {}, {}
    for k in next, v do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. canonical(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return tostring(v)
end

-- ---- one configuration --------------------------------------------------


local function train_options(cfg, o)
  local t = { epochs = o.epochs, batch = o.batch, evaluation_data = o.validation, monitor_evaluation_accuracy = true,
    early_stopping = o.early_stopping, verbose = false, progress = false }
  for k, v in next, o.train or {} do t[k] = v end   -- raw walks: no __pairs runs
  for k, v in next, cfg do
    if TRAIN_KEYS[k] then t[k] = v end
  end
  return t
end

-- Trains one configuration from lunet.seed(seed); returns its record.
local function run_one(cfg, o)
  core.seed(o.seed)
  local model = o.model(cfg)
  local _, _, _, _, h = train.sgd(model, o.training, train_options(cfg, o))
  local seconds = 0
  for _, s in ipairs(h.seconds) do seconds = seconds + s end
  return { accuracy = h.best_accuracy or 0, best_epoch = h.best_epoch, epochs = #h.epoch, stopped = h.stopped,
    seconds = seconds, evaluation_accuracy = h.evaluation_accuracy }
end

-- ---- worker processes -----------------------------------------------------

local function write_atomic(path, text)
  local tmp = path .. ".tmp"
  local f = assert(io.open(tmp, "wb"))
  f:write(text)
  f:close()
  assert(os.rename(tmp, path))
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

local function read_result(path, key)
  local text = read_file(path)
  if not text then return nil end
  local ok, r = pcall(checkpoint.decode, text)
  if ok and type(r) == "table" and r.key == key and (r.result or r.error) then return r end
end

-- In the child: one thread (the parallelism is across configurations),
-- run, write the record, leave without running finalisers.
local function child(cfg, key, path, o)
  local ok, result = pcall(function()
    core.threads(1)
    return run_one(cfg, o)
  end)
  local record = ok and { key = key, result = result } or { key = key, error = tostring(result) }
  pcall(write_atomic, path, checkpoint.encode(record))
  core.exit_now(ok and 0 or 1)
end

local function mkdir(dir)
  local ok = os.execute("mkdir -p " .. require("lunet.data").shell_quote(dir))
  if not ok then error(("lunet.tune: cannot create %s"):format(dir), 0) end
end

local function space_keys(configs)
  local seen, keys = {}, {}
  for _, cfg in ipairs(configs) do
    for k in next, cfg do
      if not seen[k] then seen[k], keys[#keys + 1] = true, k end
    end
  end
  table.sort(keys)
  return keys
end

local function config_label(cfg, keys)
  local parts = {}
  for _, k in ipairs(keys) do
    if cfg[k] ~= nil then parts[#parts + 1] = ("%s=%s"):format(k, type(cfg[k]) == "number" and ("%g"):format(cfg[k])
      or canonical(cfg[k])) end
  end
  return table.concat(parts, " ")
end

-- Runs every configuration not already finished in dir, at most jobs at
-- a time; returns the records in the order of configs.
local function run_all(configs, o)
  local fingerprint = canonical { epochs = o.epochs, batch = o.batch, early_stopping = o.early_stopping or false,
    seed = o.seed, training = train.size(o.training), validation = train.size(o.validation), train = o.train or {} }
  local records, queue, running, count = {}, {}, {}, 0
  for i, cfg in ipairs(configs) do
    local key = core.md5(canonical(cfg) .. fingerprint)
    local path = ("%s/%s.result"):format(o.dir, key)
    local r = read_result(path, key)
    if r and r.result then records[i] = r else queue[#queue + 1] = { i = i, key = key, path = path } end
  end
  local function collect()
    local pid = core.wait()
    local job = running[pid]
    if not job then return end
    running[pid], count = nil, count - 1
    local r = read_result(job.path, job.key)
    if not r then r = { error = "the worker process ended without a result" } end
    records[job.i] = r
    if o.verbose then
      io.stdout:write(("  %s: %s\n"):format(config_label(configs[job.i], space_keys({ configs[job.i] })),
        r.result and ("%.2f%%"):format(100 * r.result.accuracy) or r.error))
      io.stdout:flush()
    end
  end
  for _, job in ipairs(queue) do
    while count >= o.jobs do collect() end
    local pid = core.fork()
    if pid == 0 then child(configs[job.i], job.key, job.path, o) end
    running[pid], count = job, count + 1
  end
  while count > 0 do collect() end
  return records
end

-- ---- results: table, CSV, plot ----------------------------------------------

local function csv_field(v)
  local s = v == nil and "" or (type(v) == "table" and canonical(v) or tostring(v))
  if s:find('[,"\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function write_csv(path, results, keys)
  local lines = { table.concat(keys, ",") .. ",accuracy,best_epoch,epochs,seconds,stopped" }
  for _, r in ipairs(results) do
    local row = {}
    for i, k in ipairs(keys) do row[i] = csv_field(r.config[k]) end
    for _, k in ipairs { "accuracy", "best_epoch", "epochs", "seconds", "stopped" } do
      row[#row + 1] = csv_field(r[k])
    end
    lines[#lines + 1] = table.concat(row, ",")
  end
  write_atomic(path, table.concat(lines, "\n") .. "\n")
end

local function plot_results(path, results, keys, title)
  local labels, values = {}, {}
  for i = 1, math.min(#results, 40) do
    labels[i] = config_label(results[i].config, keys)
    values[i] = 100 * results[i].accuracy
  end
  require("lunet.plot").bar { labels = labels, values = values, ylabel = "validation accuracy (%)",
    title = title, width = 960, height = 480, file = path }
end

local SEARCH_KEYS = { "model", "training", "validation", "epochs", "batch", "early_stopping", "seed", "train",
  "jobs", "dir", "csv", "plot", "verbose", "title" }

local function search_options(fname, o)
  o = opts.check("lunet.tune." .. fname, o, SEARCH_KEYS)
  local c = {}
  for k, v in next, o do c[k] = v end
  check_set(fname, "training", c.training)
  check_set(fname, "validation", c.validation)
  c.model = c.model or default_model(fname, c.training)
  if type(c.model) ~= "function" then fail(fname, "model must be a function(config) -> model") end
  c.epochs, c.batch, c.seed = c.epochs or 10, c.batch or 10, c.seed or 1
  if math.type(c.epochs) ~= "integer" or c.epochs < 1 then fail(fname, "epochs must be a positive integer") end
  if math.type(c.seed) ~= "integer" then fail(fname, "seed must be an integer") end
  -- shared by every configuration: wrong, they failed each one in its worker
  if math.type(c.batch) ~= "integer" or c.batch < 1 then fail(fname, "batch must be a positive integer") end
  if c.early_stopping ~= nil and c.early_stopping ~= false
    and (math.type(c.early_stopping) ~= "integer" or c.early_stopping < 1) then
    fail(fname, "early_stopping must be a positive integer (epochs without a better accuracy)")
  end
  if c.train ~= nil then
    if type(c.train) ~= "table" then fail(fname, "train must be a table of lunet.train.sgd options") end
    train.plain_options(c.train, "lunet.tune." .. fname .. ": train")
  end
  c.jobs = c.jobs or core.cpu_count()
  if math.type(c.jobs) ~= "integer" or c.jobs < 1 then fail(fname, "jobs must be a positive integer") end
  if c.dir == nil then
    c.dir = os.tmpname()
    os.remove(c.dir)
  end
  if type(c.dir) ~= "string" then fail(fname, "dir must be a directory name") end
  mkdir(c.dir)
  return c
end

-- A misspelt key (etaa) would otherwise be dropped, and every configuration
-- fail the same way in its worker. grid's and random's configurations have
-- the keys of their space, where the user wrote them.
local function check_configs(fname, configs)
  for i, cfg in ipairs(configs) do
    local bad, why = opts.unknown(cfg, CONFIG_KEYS)
    local where = fname == "run" and ("configuration %d"):format(i) or "space"
    if not bad then fail(fname, "%s: %s", where, why) end
    if #bad > 0 then
      fail(fname, "%s: unknown key '%s' (valid with the default model: %s)%s", where, bad[1],
        table.concat(CONFIG_KEYS, ", "), opts.hint(bad, CONFIG_KEYS))
    end
  end
end

-- tune.run, and grid's and random's configurations: fname names the function called.
local function run(fname, configs, o)
  if not (type(o) == "table" and o.model) then check_configs(fname, configs) end
  o = search_options(fname, o)
  local records = run_all(configs, o)
  local results = {}
  for i, r in ipairs(records) do
    local rec = { config = configs[i], index = i }
    if r.result then
      for k, v in pairs(r.result) do rec[k] = v end
    else
      rec.error, rec.accuracy = r.error, 0
    end
    results[i] = rec
  end
  table.sort(results, function(a, b)
    if a.accuracy ~= b.accuracy then return a.accuracy > b.accuracy end
    return a.index < b.index
  end)
  local keys = space_keys(configs)
  write_csv(o.csv or (o.dir .. "/results.csv"), results, keys)
  plot_results(o.plot or (o.dir .. "/results.svg"), results, keys, o.title or "validation accuracy per configuration")
  results.dir = o.dir
  return results
end

--- tune.run(configs, opts) -> results
-- Trains every configuration of the list (tables of options, see the top
-- of this file) in worker processes, at most opts.jobs at a time (default:
-- one per core; each worker uses one thread), and returns one record per
-- configuration, sorted by best validation accuracy (best first; ties keep
-- the list's order): {config =, accuracy = best validation accuracy (0..1),
-- best_epoch =, epochs = epochs run, stopped =, seconds = training time,
-- evaluation_accuracy = per epoch}. A failed configuration has error =
-- its message and accuracy 0. opts: training, validation (data sets), model
-- (function(config) -> model), epochs (10), batch (10), early_stopping
-- (epochs without improvement; per configuration), seed (1), train (more
-- train.sgd options), jobs, dir (where each finished configuration's
-- record is kept: a second run with the same dir and options runs only
-- the configurations not finished yet; default a new temporary
-- directory), csv (default dir/results.csv), plot (default
-- dir/results.svg: validation accuracy per configuration), title, verbose.
-- The records are the same whatever jobs is. With the default model a
-- configuration key other than eta, lambda, batch, momentum, optimizer,
-- hidden, activation and cost is an error (a model function of one's own
-- may read any key).
function tune.run(configs, o)
  if type(configs) ~= "table" or #configs < 1 then fail("run", "configs must be a non-empty list of tables") end
  for i = 1, #configs do   -- by index: ipairs stopped at a hole and dropped the configurations after it
    if type(configs[i]) ~= "table" then fail("run", "configuration %d is not a table", i) end
  end
  return run("run", configs, o)
end

--- tune.grid(space, opts) -> results
-- Grid search: space maps option names to lists of values ({eta = {0.1,
-- 1}, lambda = {0, 5}} is 4 configurations); every combination is run by
-- tune.run(configs, opts), with its options. A space of more than 100000
-- configurations is refused before any is built.
function tune.grid(space, o)
  if type(space) ~= "table" then fail("grid", "space must be a table {name = {values...}}") end
  local keys = {}
  for k, list in next, space do
    if type(list) ~= "table" or #list < 1 then fail("grid", "space.%s must be a non-empty list", tostring(k)) end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  local count = 1.0
  for _, k in ipairs(keys) do count = count * #space[k] end
  if count > MAX_CONFIGS then
    fail("grid", "the space has %.0f configurations; at most %d are run (split the search)", count, MAX_CONFIGS)
  end
  local configs = { {} }
  for _, k in ipairs(keys) do
    local more = {}
    for _, cfg in ipairs(configs) do
      for _, v in ipairs(space[k]) do
        local c = {}
        for a, b in next, cfg do c[a] = b end
        c[k] = v
        more[#more + 1] = c
      end
    end
    configs = more
  end
  return run("grid", configs, o)
end

-- One value drawn for a random search: from a list, or from {min =, max =
-- [, log = true] [, integer = true]}.
local function draw(fname, k, spec)
  local u = core.rand(1, "float64")[1]
  if type(spec) ~= "table" then fail(fname, "space.%s must be a list or {min =, max =}", tostring(k)) end
  if #spec > 0 then return spec[1 + math.floor(u * #spec)] end
  -- a misspelt key (logg = true) drew on a linear scale, silently
  local bad, why = opts.unknown(spec, { "min", "max", "log", "integer" })
  if not bad then fail(fname, "space.%s: %s", tostring(k), why) end
  if #bad > 0 then
    fail(fname, "space.%s: unknown key '%s' (valid: integer, log, max, min)%s", tostring(k), bad[1],
      opts.hint(bad, { "min", "max", "log", "integer" }))
  end
  local lo, hi = spec.min, spec.max
  local ok = type(lo) == "number" and type(hi) == "number"
  if not (ok and lo <= hi and hi - lo < math.huge and (lo > 0 or not spec.log)) then
    fail(fname, "space.%s needs min <= max (both > 0 with log = true)", tostring(k))
  end
  local v = spec.log and math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) or lo + u * (hi - lo)
  if spec.integer then v = math.floor(v + 0.5) end
  return v
end

--- tune.random(space, opts) -> results
-- Random search: opts.trials configurations (default 10, at most 100000), each value
-- drawn from space (a list: one of its values; {min =, max =, log = true,
-- integer = true}: uniformly, on a log scale if asked) with lunet's
-- generator seeded with opts.seed, then run as tune.run does.
function tune.random(space, o)
  if type(space) ~= "table" then fail("random", "space must be a table") end
  if o ~= nil and type(o) ~= "table" then fail("random", "options must be a table") end
  local rest = {}
  for k, v in next, o or {} do rest[k] = v end
  local trials = rest.trials or 10
  rest.trials = nil
  if math.type(trials) ~= "integer" or trials < 1 or trials > MAX_CONFIGS then
    fail("random", "trials must be a positive integer, at most %d", MAX_CONFIGS)
  end
  local keys = {}
  for k in next, space do keys[#keys + 1] = k end
  table.sort(keys)
  core.seed(rest.seed or 1)
  local configs = {}
  for i = 1, trials do
    configs[i] = {}
    for _, k in ipairs(keys) do configs[i][k] = draw("random", k, space[k]) end
  end
  return run("random", configs, rest)
end

-- ---- the learning-rate threshold ----------------------------------------------

-- Training cost before and after each of the first epochs at eta, from
-- the same initial network; falls = every epoch lowers it.
local function cost_curve(o, eta)
  core.seed(o.seed)
  local model = o.model({ eta = eta })
  local before = train.evaluate(model, o.training, o.lambda)
  local ok, _, _, cost = pcall(train.sgd, model, o.training, { epochs = o.epochs, batch = o.batch, eta = eta,
    lambda = o.lambda, monitor_training_cost = true, verbose = false, progress = false })
  local curve = { before }
  if ok then
    for i, c in ipairs(cost) do curve[i + 1] = c end
  end
  local falls = ok
  for i = 2, #curve do falls = falls and curve[i] < curve[i - 1] end
  return { eta = eta, cost = curve, falls = falls, diverged = not ok }
end

--- tune.eta_threshold(opts) -> threshold, curves
-- The book's estimate of the learning-rate threshold: the largest eta at
-- which the training cost falls during the first epochs (every one of
-- opts.epochs = 5 epochs lowers it), found by trying orders of magnitude
-- from opts.start (0.01) up until the cost stops falling (or down until
-- it falls), then refining with 2 and then 5 times the last good power
-- of ten (stopping at the first that fails). Each
-- try starts from the same network (lunet.seed(seed)). curves lists every
-- try in order: {eta =, cost = {before, after epoch 1, ...}, falls =,
-- diverged =}. opts: training, model (function(config) -> model; default
-- a Network{n_in, 30, n_out}), epochs, batch (10), lambda (0), start,
-- seed (1), file (an SVG of the cost curves, one per eta), title.
function tune.eta_threshold(o)
  o = opts.check("lunet.tune.eta_threshold", o,
    { "training", "model", "epochs", "batch", "lambda", "start", "seed", "file", "title" })
  local c = {}
  for k, v in next, o do c[k] = v end
  check_set("eta_threshold", "training", c.training)
  c.model, c.epochs, c.batch = c.model or default_model("eta_threshold", c.training), c.epochs or 5, c.batch or 10
  c.lambda, c.seed, c.start = c.lambda or 0, c.seed or 1, c.start or 0.01
  if type(c.start) ~= "number" or not (c.start > 0 and c.start < math.huge) then
    fail("eta_threshold", "start must be a positive number")
  end
  -- train.sgd would refuse these inside cost_curve's pcall, and every eta read as diverged
  if math.type(c.epochs) ~= "integer" or c.epochs < 1 then
    fail("eta_threshold", "epochs must be a positive integer")
  end
  if math.type(c.batch) ~= "integer" or c.batch < 1 then fail("eta_threshold", "batch must be a positive integer") end
  local curves, good, bad = {}, nil, nil
  local function try(eta)
    local curve = cost_curve(c, eta)
    curves[#curves + 1] = curve
    return curve.falls
  end
  local eta = c.start
  if try(eta) then
    good = eta
    for _ = 1, 8 do
      eta = eta * 10
      if not try(eta) then bad = eta break end
      good = eta
    end
  else
    bad = eta
    for _ = 1, 8 do
      eta = eta / 10
      if try(eta) then good = eta break end
      bad = eta
    end
  end
  if good and bad then
    local base = good
    for _, f in ipairs { 2, 5 } do
      if not (base * f < bad and try(base * f)) then break end
      good = base * f
    end
  end
  if c.file then
    local series = {}
    for i, curve in ipairs(curves) do
      local x = {}
      for j = 1, #curve.cost do x[j] = j - 1 end
      series[i] = { name = ("eta = %g%s"):format(curve.eta, curve.falls and "" or " (no)"), x = x, y = curve.cost }
    end
    require("lunet.plot").line { series = series, xlabel = "epoch", ylabel = "training cost", logy = true,
      title = c.title or ("the learning-rate threshold: about %s"):format(good and ("%g"):format(good) or "none"),
      width = 900, height = 500, file = c.file }
  end
  return good, curves
end

-- ---- mini-batch size against time ---------------------------------------------

--- tune.batch_time(opts) -> rows
-- The book's advice on the mini-batch size, measured: for each size of
-- opts.batches (default {1, 10, 100}), trains from the same network
-- (lunet.seed(seed)) with eta = opts.eta (a number, or a function(batch)
-- -> eta; default 0.5), measuring accuracy on opts.validation every
-- monitor_every training images (default 1000), until it reaches
-- opts.target (default 0.9) or max_epochs (default 5) have run. Rows:
-- {batch =, eta =, reached = true/false, seconds = training seconds to
-- the target (monitoring left out; nil if not reached), images = images
-- seen by then, accuracy = the last measured}. opts: training,
-- validation, model, batches, eta, target, monitor_every, max_epochs,
-- seed, file (an SVG: seconds to the target against mini-batch size),
-- title.
function tune.batch_time(o)
  o = opts.check("lunet.tune.batch_time", o, { "training", "validation", "model", "batches", "eta", "target",
    "monitor_every", "max_epochs", "seed", "file", "title" })
  check_set("batch_time", "training", o.training)
  check_set("batch_time", "validation", o.validation)
  local model_of = o.model or default_model("batch_time", o.training)
  local target, rows, batches = o.target or 0.9, {}, o.batches or { 1, 10, 100 }
  if type(target) ~= "number" or target ~= target then fail("batch_time", "target must be a number (an accuracy)") end
  if type(batches) ~= "table" then fail("batch_time", "batches must be a list of mini-batch sizes") end
  for i, batch in ipairs(batches) do
    if math.type(batch) ~= "integer" or batch < 1 then
      fail("batch_time", "mini-batch sizes must be positive integers")
    end
    local eta = o.eta or 0.5
    if type(eta) == "function" then eta = eta(batch) end
    core.seed(o.seed or 1)
    local model = model_of({ batch = batch, eta = eta })
    local row = { batch = batch, eta = eta, reached = false }
    train.sgd(model, o.training, { epochs = o.max_epochs or 5, batch = batch, eta = eta, verbose = false,
      progress = false, monitor_every = o.monitor_every or 1000, monitor_data = o.validation,
      on_monitor = function(m)
        row.accuracy, row.images = m.evaluation_accuracy, m.images
        if m.evaluation_accuracy >= target then
          row.reached, row.seconds = true, m.seconds
          return false
        end
      end })
    rows[i] = row
  end
  if o.file then
    local labels, values = {}, {}
    for i, r in ipairs(rows) do
      labels[i] = tostring(r.batch)
      values[i] = r.seconds or 0 / 0
    end
    require("lunet.plot").bar { labels = labels, values = values, xlabel = "mini-batch size",
      ylabel = ("seconds to %.0f%% validation accuracy"):format(100 * target),
      title = o.title or "mini-batch size against training time", file = o.file }
  end
  return rows
end

return tune
