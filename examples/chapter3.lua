-- examples/chapter3.lua: the book's improved network (network2.py, chapter 3).
--
--   lua5.4 examples/chapter3.lua [--data mnist|fashion|auto] [--epochs 60] [--hidden 100]
--                                [--eta 0.1] [--lambda 5.0] [--plot out/chapter3.svg]
--
-- Cross-entropy cost, weights N(0, 1/n_in), L2 regularisation; the four
-- monitors of the book (cost and accuracy on the training and validation
-- data) every epoch, plotted at the end, and the test accuracy.

local lunet = require "lunet"

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "data", "auto", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "epochs", 60, "training epochs", "count" },
  { "hidden", 100, "hidden neurons", "count" },
  { "eta", 0.1, "learning rate", "positive" },
  { "lambda", 5.0, "L2 regularisation", "nonnegative" },
  { "batch", 10, "mini-batch size", "count" },
  { "seed", 1, "random seed", "integer" },
  { "out", "out", "directory for the plot" },
  { "plot", "", "file of the monitor plot (default: OUT/chapter3.svg)" },
}, "The book's chapter-3 network: cross-entropy, L2, the four monitors.")

-- the plot's directory is made before the training, so a bad path fails at once
if opts.plot == "" then opts.plot = opts.out .. "/chapter3.svg" end
local plot_dir = opts.plot:match("^(.*)/[^/]*$") or "."
cli.make_dir(plot_dir == "" and "/" or plot_dir, opts.plot == opts.out .. "/chapter3.svg" and "out" or "plot")

lunet.seed(opts.seed)
local training, validation, test, name = cli.load_data(opts.data)
local net = lunet.Network { 784, opts.hidden, 10 }
print(("%s: %s"):format(name, tostring(net)))

local _, _, _, _, history = net:SGD(training, opts.epochs, opts.batch, opts.eta, {
  lambda = opts.lambda, evaluation_data = validation,
  monitor_evaluation_cost = true, monitor_evaluation_accuracy = true,
  monitor_training_cost = true, monitor_training_accuracy = true,
})

local test_accuracy = net:accuracy(test)
lunet.plot.monitor(history, {
  title = ("784-%d-10, eta = %g, lambda = %g (%s)"):format(opts.hidden, opts.eta, opts.lambda, name),
  file = opts.plot,
})

print()
print(("%-52s %8s %8s"):format("", "book", "lunet"))
print(("%-52s %8s %7.2f%%"):format(("784-%d-10, cross-entropy, eta %g, lambda %g, %d epochs"):format(
  opts.hidden, opts.eta, opts.lambda, opts.epochs), "98.04%", 100 * test_accuracy))
print(("best validation accuracy %.2f%% (epoch %d); plot: %s"):format(100 * history.best_accuracy,
  history.best_epoch, opts.plot))
if name ~= "mnist" then print("(the book's figure is for MNIST 784-100-10 over 60 epochs)") end
