-- examples/depth_vs_accuracy.lua: does a deeper network learn better?
-- (the book's chapter 5, "Why are deep neural networks hard to train?")
--
--   bin/lunet examples/depth_vs_accuracy.lua [--data mnist|fashion|auto] [--epochs 30]
--                                            [--activation sigmoid|relu|tanh] [--init default|he|...]
--
-- Trains 784-30-10, 784-30-30-10, 784-30-30-30-10 and 784-30-30-30-30-10 with
-- the book's settings (cross-entropy, eta 0.1, lambda 5.0, mini-batches of
-- 10), records the speed of learning ||dC/db|| of every hidden layer after each
-- epoch (on 1,000 training images), and prints the best validation and the
-- final test accuracy of each depth beside the book's MNIST figures. Writes
-- out/depth_vs_accuracy[_<activation>].svg (accuracy per epoch, one line per
-- depth) and out/gradient_norms_<depth>[_<activation>].svg.
--
-- With sigmoid neurons the early layers learn far slower than the late ones
-- (the vanishing gradient) and extra layers barely help; --activation relu
-- --init he shows the cure.

local lunet = require "lunet"
local plot = lunet.plot

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "data", "auto", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "epochs", 30, "training epochs per network", "count" },
  { "activation", "sigmoid", "hidden neurons: sigmoid, tanh or relu", { "sigmoid", "tanh", "relu" } },
  { "init", "default", "weights: default (N(0, 1/n_in)), large, he, xavier", { "default", "large", "he", "xavier" } },
  { "eta", 0.1, "learning rate", "positive" },
  { "lambda", 5.0, "L2 regularisation", "nonnegative" },
  { "batch", 10, "mini-batch size", "count" },
  { "seed", 1, "random seed", "integer" },
  { "out", "out", "directory for the plots", "dir" },
}, "Depth versus accuracy, and the speed of learning of each layer.")

local BOOK = { 96.48, 96.90, 96.57, 96.53 }   -- MNIST, sigmoid, the book's chapter 5
local BEFORE = { { x = 0, label = "before training" } }   -- epoch 0 on the per-epoch plots

lunet.seed(opts.seed)
local training, validation, test, name = cli.load_data(opts.data)
local suffix = opts.activation == "sigmoid" and "" or "_" .. opts.activation

local function sizes_of(hidden)
  local s = { 784 }
  for _ = 1, hidden do s[#s + 1] = 30 end
  s[#s + 1] = 10
  return s
end

local function acts(hidden)   -- hidden layers as asked, sigmoid outputs for the cross-entropy
  local a = {}
  for l = 1, hidden do a[l] = opts.activation end
  a[hidden + 1] = "sigmoid"
  return a
end

print(("%s, %s neurons, init %s, eta %g, lambda %g, mini-batch %d, %d epochs"):format(name, opts.activation,
  opts.init, opts.eta, opts.lambda, opts.batch, opts.epochs))

local results, accuracy_series = {}, {}
for hidden = 1, 4 do
  local sizes = sizes_of(hidden)
  local label = table.concat(sizes, "-")
  local net = lunet.Network(sizes, { activation = acts(hidden), init = opts.init })
  print(("\n%s (%d parameters)"):format(label, net:info().nparams))
  local before = net:accuracy(validation)   -- epoch 0: the untrained network
  local _, _, _, _, h = net:SGD(training, opts.epochs, opts.batch, opts.eta, {
    lambda = opts.lambda, evaluation_data = validation, monitor_evaluation_accuracy = true,
    gradient_norms = true,
  })
  local pct, epochs = { 100 * before }, { 0 }
  for e, a in ipairs(h.evaluation_accuracy) do pct[e + 1], epochs[e + 1] = 100 * a, e end
  accuracy_series[hidden] = { name = label, y = pct, x = epochs }
  results[hidden] = { label = label, best = 100 * h.best_accuracy, test = 100 * net:accuracy(test),
    norms = h.gradient_norms }

  -- the speed of learning of each hidden layer (the output layer left out, as in the book)
  local series = {}
  for l = 1, hidden do series[l] = { name = ("hidden layer %d"):format(l), y = h.gradient_norms.bias[l],
    x = h.gradient_norms.epoch } end
  plot.line { title = ("Speed of learning, %s (%s)"):format(label, opts.activation), xlabel = "epoch",
    ylabel = "||dC/db||", logy = true, series = series, marks = BEFORE,
    file = ("%s/gradient_norms_%s%s.svg"):format(opts.out, label, suffix) }
end

-- The axis shows the band where the depths differ (as the book's figure
-- does): from the lowest accuracy any depth has after the first quarter of
-- the run to the highest, in whole percent. Earlier epochs (and epoch 0,
-- the untrained networks at about 10%) enter from below.
local function band()
  local lo, hi = math.huge, -math.huge
  local from = math.max(2, opts.epochs // 4)
  for _, s in ipairs(accuracy_series) do
    for i = 1, #s.y do
      if s.x[i] >= from or opts.epochs < 3 then lo, hi = math.min(lo, s.y[i]), math.max(hi, s.y[i]) end
    end
  end
  return math.max(0, math.floor(lo - 0.5)), math.min(100, math.ceil(hi + 0.5))
end
local ymin, ymax = band()
plot.line { title = ("Validation accuracy per epoch (%s, %s neurons)"):format(name, opts.activation),
  xlabel = "epoch", ylabel = "accuracy (%)", series = accuracy_series, ymin = ymin, ymax = ymax, marks = BEFORE,
  file = ("%s/depth_vs_accuracy%s.svg"):format(opts.out, suffix) }

print(("\n%-22s %10s %10s %10s   %s"):format("network", "best valid", "test", "book", "speed of learning at the start"))
for hidden, r in ipairs(results) do
  local speeds = {}
  for l = 1, hidden do speeds[l] = ("%.3f"):format(r.norms.bias[l][1]) end
  print(("%-22s %9.2f%% %9.2f%% %9.2f%%   %s"):format(r.label, r.best, r.test, BOOK[hidden],
    table.concat(speeds, ", ")))
end
print("(book: MNIST, sigmoid neurons, 30 epochs; speeds are ||dC/db|| per hidden layer, input side first)")
print(("plots: %s/depth_vs_accuracy%s.svg and %s/gradient_norms_<network>%s.svg"):format(opts.out, suffix,
  opts.out, suffix))
if opts.activation == "sigmoid" then
  print("the cure: --activation relu --init he (make demo ACTIVATION=relu INIT=he)")
end
