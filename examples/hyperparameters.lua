-- examples/hyperparameters.lua: choosing hyperparameters as the book's
-- chapter 3 does it, with lunet.tune.
--
--   lua5.4 examples/hyperparameters.lua [--data mnist|fashion|auto] [--train 1000] [--epochs 10]
--                                       [--jobs n] [--out out/hyperparameters]
--
-- 1. The broad strategy: strip the problem down to 0s and 1s
--    (lunet.data.filter) and watch validation accuracy every 1,000 images
--    on 100 validation images (monitor_every), so that a signal comes in
--    seconds, not after an epoch.
-- 2. The learning-rate threshold: the largest eta at which the training
--    cost falls during the first epochs, by orders of magnitude, then
--    refinement (tune.eta_threshold, with a plot of the cost curves).
-- 3. A small grid search over eta (around that threshold) and lambda, one
--    worker process per core, early stopping per configuration, results
--    as a table, a CSV file and a plot (tune.grid). A second run with the
--    same --out reads the finished configurations back instead of
--    training them again.
-- 4. The mini-batch size against the training time to a validation
--    accuracy (tune.batch_time): too small a mini-batch wastes the speed of
--    matrix products, too large a one updates too rarely.

local lunet = require "lunet"

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "data", "auto", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "train", 1000, "training images for the threshold and the grid", "count" },
  { "validation", 1000, "validation images for the grid", "count" },
  { "epochs", 10, "epochs per configuration of the grid", "count" },
  { "jobs", 0, "worker processes (0: one per core)", "whole" },
  { "seed", 1, "random seed", "integer" },
  { "target", 0.8, "validation accuracy to reach in part 4", "fraction" },
  { "time_train", 10000, "training images for part 4", "count" },
  { "out", "out/hyperparameters", "directory for the plots, the CSV and the grid's records", "dir" },
}, "Chapter 3's hyperparameter craft: broad strategy, eta threshold, grid search.")

local training, validation, _, name = cli.load_data(opts.data)
cli.at_most("train", opts.train, training.n, "the training set")
cli.at_most("time_train", opts.time_train, training.n, "the training set")
cli.at_most("validation", opts.validation, validation.n, "the validation set")

-- 1. the broad strategy --------------------------------------------------------
local two = lunet.data.filter(training, { 0, 1 }, { relabel = true })
local two_val = lunet.data.take(lunet.data.filter(validation, { 0, 1 }, { relabel = true }), 100)
lunet.seed(opts.seed)
local small = lunet.Network { 784, 10, 2 }
print(("1. broad strategy (%s): classes 0 and 1 only, %d training images, 784-10-2"):format(name, two.n))
local _, _, _, _, h = small:SGD(two, 1, 10, 0.5, { verbose = false, monitor_every = 1000, monitor_data = two_val })
for i = 1, #h.monitor.images do
  print(("   after %5d images (%.2fs of training): validation accuracy %.0f%%"):format(h.monitor.images[i],
    h.monitor.seconds[i], 100 * h.monitor.evaluation_accuracy[i]))
end

-- 2. the learning-rate threshold ------------------------------------------------
local train_small = lunet.data.take(training, opts.train)
local eta_file = opts.out .. "/eta_threshold.svg"
local eta, curves = lunet.tune.eta_threshold { training = train_small, epochs = 5, seed = opts.seed, file = eta_file,
  model = function() return lunet.Network { 784, 30, 10 } end }
print(("2. learning-rate threshold on %d images (784-30-10, first 5 epochs):"):format(train_small.n))
for _, c in ipairs(curves) do
  print(("   eta %-6g cost %s%s"):format(c.eta, c.falls and "falls" or "does not fall",
    c.diverged and " (diverged)" or ""))
end
print(("   threshold about %s (plot: %s); the book's advice: train at about half of it"):format(
  eta and ("%g"):format(eta) or "not found", eta_file))

-- 3. a grid search over eta and lambda ---------------------------------------------
local base = eta or 0.5
local space = { eta = { base / 4, base / 2, base }, lambda = { 0.1, 1, 5 } }
local val_small = lunet.data.take(validation, opts.validation)
print(("3. grid search: %d configurations, %d epochs each (early stopping after 3 without improvement)"):format(
  #space.eta * #space.lambda, opts.epochs))
local results = lunet.tune.grid(space, {
  training = train_small, validation = val_small, epochs = opts.epochs, early_stopping = 3, seed = opts.seed,
  jobs = opts.jobs > 0 and opts.jobs or nil, dir = opts.out .. "/grid",
  model = function() return lunet.Network { 784, 30, 10 } end,
  title = ("validation accuracy, 784-30-10 on %d images (%s)"):format(train_small.n, name),
})
print(("   %-8s %-8s %10s %6s %8s"):format("eta", "lambda", "accuracy", "epochs", "seconds"))
for _, r in ipairs(results) do
  print(("   %-8g %-8g %9.2f%% %6d %8.2f"):format(r.config.eta, r.config.lambda, 100 * r.accuracy, r.epochs or 0,
    r.seconds or 0))
end
print(("   best: eta %g, lambda %g; table %s/results.csv, plot %s/results.svg"):format(results[1].config.eta,
  results[1].config.lambda, results.dir, results.dir))

-- 4. mini-batch size against time ---------------------------------------------------
local time_file = opts.out .. "/batch_time.svg"
local rows = lunet.tune.batch_time { training = lunet.data.take(training, opts.time_train),
  validation = lunet.data.take(validation, 500), batches = { 1, 10, 100 }, target = opts.target, max_epochs = 3,
  eta = base, seed = opts.seed, file = time_file,
  model = function() return lunet.Network { 784, 30, 10 } end }
print(("4. mini-batch size against training seconds to %.0f%% validation accuracy (500 images, measured every "
  .. "1,000 training images):"):format(100 * opts.target))
for _, r in ipairs(rows) do
  print(("   mini-batch %-4d eta %-6g %s"):format(r.batch, r.eta, r.reached and
    ("%.2f s, %d images"):format(r.seconds, r.images) or ("not reached in 3 epochs (%.1f%%)"):format(100 * r.accuracy)))
end
print(("   plot: %s (one eta for every size: the update averages over the mini-batch, so at size 1 each "
  .. "example moves the weights as much as a whole mini-batch of 10 does, and an eta good at 10 may be too "
  .. "large there; timings on a shared machine are noisy)"):format(time_file))
