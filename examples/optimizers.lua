-- examples/optimizers.lua: the optimisers of the lecture side by side.
--
--   bin/lunet examples/optimizers.lua [--data fashion] [--epochs 10] [--subset n]
--                                     [--which sgd,adam,...] [--conv] [--out out]
--
-- Part 1, mini-batch (10 images) training of the 784-30-10 sigmoid network
-- (cross-entropy; with --conv also the chapter-6 network conv-pool 20@5x5 +
-- FC-100 + softmax) with SGD, momentum, Nesterov, Adagrad, RMSprop and Adam,
-- every method from the same initial parameters (one seed), each with its
-- own learning rate (the table RATES below says which and why). Validation
-- accuracy after every epoch, against epochs and against training seconds:
-- out/optimizers_epochs.svg, out/optimizers_seconds.svg and a table.
--
-- Part 2, full batch: the 784-30-10 network's cross-entropy over the first
-- 1,000 training images as one function of its 23,860 parameters
-- (lunet.optim.objective), minimised from one starting point by gradient
-- descent (fixed step), conjugate gradient and L-BFGS with the same budget
-- of evaluations of f: cost against evaluations in out/fullbatch.svg and a
-- table. Each evaluation is one forward and backward pass over the batch,
-- so evaluations are the fair unit of work; CG and L-BFGS spend some of
-- theirs in line searches.

local lunet = require "lunet"
local plot = lunet.plot
local n3 = lunet.network3

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "data", "fashion", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "epochs", 10, "epochs of mini-batch training per method", "count" },
  { "subset", 0, "train on the first n training images only (0, or more than there are: all 50,000)", "whole" },
  { "which", "all", "mini-batch methods: all, or names such as sgd,adam" },
  { "conv", false, "also train the chapter-6 convolutional network" },
  { "fullbatch", 1000, "training images of the full-batch problem (0: skip part 2; at most the subset)", "whole" },
  { "evals", 200, "evaluations of f per full-batch method", "count" },
  { "seed", 1, "random seed", "integer" },
  { "out", "out", "directory for the plots", "dir" },
}, "Mini-batch optimisers and full-batch minimisers on the same networks.")

-- Learning rates for the MLP: the best third-epoch validation accuracy of
-- three rates a factor 3 apart, each from the same start on Fashion-MNIST
-- (50,000 images, seed 1; SGD 0.15/0.5/1.5: 85.8/83.7/77.8%, momentum
-- 0.015/0.05/0.15: 85.4/82.0/78.5%, Nesterov the same rates: 85.7/83.0/79.4%,
-- Adagrad 0.015/0.05/0.15: 83.3/85.4/83.7%, RMSprop 0.0003/0.001/0.003:
-- 83.8/85.9/85.3%, Adam the same rates: 84.0/85.7/84.6%). Momentum moves
-- about eta / (1 - mu) per unit gradient, so mu = 0.9 wants a tenth of
-- SGD's rate. The conv network's: network3's 0.1 for SGD and a tenth of it
-- with momentum (not tried otherwise); Adam's default 0.001; Adagrad and
-- RMSprop the best of a short trial (5,000 images, 2 epochs, validation on
-- 2,000: Adagrad 0.01/0.003/0.001: 9.9/51.3/36.9%, RMSprop 0.0003/0.0001:
-- 59.4/46.9%; Adam 0.001 61.0%, SGD 0.1 68.4%).
local RATES = {
  mlp = { sgd = 0.15, momentum = 0.015, nesterov = 0.015, adagrad = 0.05, rmsprop = 0.001, adam = 0.001 },
  conv = { sgd = 0.1, momentum = 0.01, nesterov = 0.01, adagrad = 0.003, rmsprop = 0.0003, adam = 0.001 },
}
local METHODS = {
  { key = "sgd", name = "SGD", o = {} },
  { key = "momentum", name = "momentum 0.9", o = { momentum = 0.9 } },
  { key = "nesterov", name = "Nesterov 0.9", o = { momentum = 0.9, nesterov = true } },
  { key = "adagrad", name = "Adagrad", o = { optimizer = "adagrad" } },
  { key = "rmsprop", name = "RMSprop", o = { optimizer = "rmsprop" } },
  { key = "adam", name = "Adam", o = { optimizer = "adam" } },
}

local function chosen_methods()
  if opts.which == "all" then return METHODS end
  local picked, known = {}, {}
  for _, m in ipairs(METHODS) do known[m.key] = m end
  for key in opts.which:gmatch("[^,]+") do
    if not known[key] then
      cli.fail("option --which: unknown method '%s' (sgd, momentum, nesterov, adagrad, rmsprop, adam)", key)
    end
    picked[#picked + 1] = known[key]
  end
  return picked
end

local training, validation = cli.load_data(opts.data)
if opts.subset > 0 and opts.subset < training.n then
  training = { x = training.x:narrow(1, 1, opts.subset), y = training.y:narrow(1, 1, opts.subset), n = opts.subset }
end
local function file(name) return opts.out .. "/" .. name end

-- ---- part 1: mini-batch optimisers -----------------------------------------------

local function mlp() return lunet.Network { 784, 30, 10 } end

local function conv_net()
  return n3.Network({
    n3.ConvPoolLayer { image_shape = { 1, 28, 28 }, filter_shape = { 20, 1, 5, 5 }, poolsize = { 2, 2 } },
    n3.FullyConnectedLayer { n_in = 20 * 12 * 12, n_out = 100 },
    n3.SoftmaxLayer { n_in = 100, n_out = 10 },
  }, 10)
end

-- One run: validation accuracy per epoch and the cumulative training
-- seconds (the epochs' own time, not the evaluation's).
local function train_one(build, rate, m)
  lunet.seed(opts.seed)                       -- the same initial parameters for every method
  local model = build()
  local o = { epochs = opts.epochs, batch = 10, eta = rate, evaluation_data = validation,
    monitor_evaluation_accuracy = true, verbose = false, progress = false }
  for k, v in pairs(m.o) do o[k] = v end
  local h = select(5, lunet.train.sgd(model, training, o))
  local secs, t = {}, 0
  for e = 1, #h.seconds do
    t = t + h.seconds[e]
    secs[e] = t
  end
  return { name = m.name, eta = rate, acc = h.evaluation_accuracy, secs = secs }
end

local function percent(acc)
  local p = {}
  for i, a in ipairs(acc) do p[i] = 100 * a end
  return p
end

local function minibatch(label, build, rates, tag)
  print(("\n%s: %d epochs of mini-batch 10 on %d images, validation accuracy (%%)"):format(label, opts.epochs,
    training.n))
  print(("%-14s %8s %10s %10s %10s %10s"):format("method", "eta", "epoch 1", "last", "best", "seconds"))
  local runs = {}
  for _, m in ipairs(chosen_methods()) do
    local r = train_one(build, rates[m.key], m)
    runs[#runs + 1] = r
    local best = 0
    for _, a in ipairs(r.acc) do best = math.max(best, a) end
    print(("%-14s %8g %10.2f %10.2f %10.2f %10.2f"):format(r.name, r.eta, 100 * r.acc[1], 100 * r.acc[#r.acc],
      100 * best, r.secs[#r.secs]))
  end
  local by_epoch, by_time = {}, {}
  for i, r in ipairs(runs) do
    by_epoch[i] = { name = r.name, y = percent(r.acc) }
    by_time[i] = { name = r.name, x = r.secs, y = percent(r.acc) }
  end
  return plot.line { title = label .. ": validation accuracy per epoch", series = by_epoch, xlabel = "epoch",
      ylabel = "validation accuracy (%)", markers = true, width = 480, height = 340 },
    plot.line { title = label .. ": validation accuracy against time", series = by_time,
      xlabel = "training seconds", ylabel = "validation accuracy (%)", markers = true, width = 480, height = 340 },
    tag
end

local epoch_charts, time_charts = {}, {}
local function add(a, b)
  epoch_charts[#epoch_charts + 1], time_charts[#time_charts + 1] = a, b
end
add(minibatch("784-30-10 sigmoid", mlp, RATES.mlp))
if opts.conv then add(minibatch("conv 20@5x5 + FC-100", conv_net, RATES.conv)) end
plot.grid { title = "Mini-batch optimisers: accuracy per epoch", cols = #epoch_charts, charts = epoch_charts,
  file = file("optimizers_epochs.svg") }
plot.grid { title = "Mini-batch optimisers: accuracy per training second", cols = #time_charts,
  charts = time_charts, file = file("optimizers_seconds.svg") }
print(("\nwrote %s and %s"):format(file("optimizers_epochs.svg"), file("optimizers_seconds.svg")))

-- ---- part 2: full-batch minimisers --------------------------------------------------

if opts.fullbatch <= 0 then return end
local n = math.min(opts.fullbatch, training.n)
local batch = { x = training.x:narrow(1, 1, n), y = training.y:narrow(1, 1, n), n = n }
lunet.seed(opts.seed)
local net = mlp()
local f, w0 = lunet.optim.objective(net, batch)

-- Gradient descent's eta = 1 gave the lowest cost after 200 evaluations of
-- 0.5, 1, 2, 4 and 8 here (costs 1.04, 0.78, 0.98, 1.21, 11.2; only 0.5 went
-- down at every step): a fixed step cannot follow curvature that changes
-- by orders of magnitude along the way.
local RUNS = {
  { "gradient descent (eta 1)", { method = "gd", eta = 1 } },
  { "conjugate gradient (PR+)", { method = "cg" } },
  { "L-BFGS (m = 10)", { method = "lbfgs", m = 10 } },
}
print(("\nfull batch: 784-30-10 cross-entropy on %d training images, %d parameters, at most %d evaluations of f")
  :format(n, w0:numel(), opts.evals))
print(("%-26s %10s %12s %12s %10s %10s"):format("method", "iterations", "evaluations", "final cost", "seconds",
  "val. acc."))
local series = {}
for _, r in ipairs(RUNS) do
  local o = { max_iter = opts.evals, max_evals = opts.evals, gtol = 1e-8 }
  for k, v in pairs(r[2]) do o[k] = v end
  local w, h = lunet.optim.minimize(f, w0, o)
  lunet.optim.set_params(net, w)
  local _, correct = lunet.train.evaluate(net, validation)
  print(("%-26s %10d %12d %12.5f %10.2f %9.2f%%"):format(r[1], h.iterations, h.evaluations, h.cost[#h.cost],
    h.seconds[#h.seconds], 100 * correct / validation.n))
  series[#series + 1] = { name = r[1], x = h.nfev, y = h.cost }
end
plot.line { title = ("Full batch (%d images): cost against evaluations of f"):format(n), series = series,
  logy = true, xlabel = "evaluations of f (forward + backward over the batch)", ylabel = "cross-entropy cost",
  width = 720, height = 450, file = file("fullbatch.svg") }
print(("\nwrote %s"):format(file("fullbatch.svg")))
