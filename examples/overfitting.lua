-- examples/overfitting.lua: the book's overfitting experiment (chapter 3).
--
--   lua5.4 examples/overfitting.lua [--data mnist|fashion|auto] [--train 1000] [--epochs 400]
--                                   [--lambda 0.1] [--eval 10000] [--out out/overfitting]
--
-- A 784-30-10 network (cross-entropy, eta 0.5, mini-batch 10) trained on
-- only 1,000 training images for 400 epochs, watched by the four monitors
-- (cost and accuracy on the training data and on the 10,000 test images,
-- as the book does), once without regularisation and once with L2
-- (lambda 0.1): without it the test accuracy stops improving long before
-- the training cost does; with it, the gap between training and test
-- accuracy narrows and test accuracy climbs higher. --quick runs 5 epochs
-- on a 1,000-image evaluation set, for a quick look.

local lunet = require "lunet"

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "data", "auto", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "train", 1000, "training images (the first of the training set)", "count" },
  { "epochs", 400, "training epochs", "count" },
  { "eta", 0.5, "learning rate", "positive" },
  { "lambda", 0.1, "L2 regularisation of the second run", "nonnegative" },
  { "eval", 10000, "test images used as evaluation data", "count" },
  { "seed", 1, "random seed", "integer" },
  { "quick", false, "5 epochs on 1,000 evaluation images" },
  { "out", "out/overfitting", "directory for the plots", "dir" },
}, "The book's overfitting experiment: 1,000 images, 400 epochs, with and without L2.")

if opts.quick then opts.epochs, opts.eval = math.min(opts.epochs, 5), math.min(opts.eval, 1000) end
local training, _, test, name = cli.load_data(opts.data)
cli.at_most("train", opts.train, training.n, "the training set")
cli.at_most("eval", opts.eval, test.n, "the test set")
training = lunet.data.take(training, opts.train)
test = lunet.data.take(test, opts.eval)

local function run(lambda)
  lunet.seed(opts.seed)
  local net = lunet.Network { 784, 30, 10 }
  local _, _, _, _, h = net:SGD(training, opts.epochs, 10, opts.eta, {
    lambda = lambda, evaluation_data = test, verbose = false,
    monitor_evaluation_cost = true, monitor_evaluation_accuracy = true,
    monitor_training_cost = true, monitor_training_accuracy = true,
  })
  local file = ("%s/overfitting_lambda_%g.svg"):format(opts.out, lambda)
  lunet.plot.monitor(h, { title = ("784-30-10 on %d images, lambda = %g (%s)"):format(training.n, lambda, name),
    file = file })
  return h, file
end

local plain, plain_file = run(0)
local l2, l2_file = run(opts.lambda)

local function last(list) return list[#list] end
print(("%s, %d training images, %d epochs, evaluation on %d test images"):format(name, training.n, opts.epochs,
  test.n))
print(("%-28s %14s %14s %14s %14s"):format("", "training cost", "training acc.", "test acc.", "best test acc."))
for _, r in ipairs { { "no regularisation", plain }, { ("L2, lambda = %g"):format(opts.lambda), l2 } } do
  local h = r[2]
  print(("%-28s %14.4f %13.2f%% %13.2f%% %9.2f%% (%d)"):format(r[1], last(h.training_cost),
    100 * last(h.training_accuracy), 100 * last(h.evaluation_accuracy), 100 * h.best_accuracy, h.best_epoch))
end
print("book (MNIST, 400 epochs): peak test accuracy 82.27% without regularisation, 87.1% with lambda = 0.1")

local x = {}
for i = 1, #plain.evaluation_accuracy do x[i] = i end
local function percent(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = 100 * v end
  return out
end
local compare = ("%s/overfitting_test_accuracy.svg"):format(opts.out)
lunet.plot.line { series = {
  { name = "test, no regularisation", x = x, y = percent(plain.evaluation_accuracy) },
  { name = ("test, lambda = %g"):format(opts.lambda), x = x, y = percent(l2.evaluation_accuracy) },
  { name = "training, no regularisation", x = x, y = percent(plain.training_accuracy) },
  { name = ("training, lambda = %g"):format(opts.lambda), x = x, y = percent(l2.training_accuracy) },
}, xlabel = "epoch", ylabel = "accuracy (%)", title = "overfitting, and what L2 does to it", file = compare }
print(("plots: %s, %s, %s"):format(plain_file, l2_file, compare))
