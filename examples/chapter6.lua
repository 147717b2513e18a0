-- examples/chapter6.lua: the book's road from 97.80% to 99.67% on MNIST
-- (chapter 6, network3.py), one function per network.
--
--   bin/lunet examples/chapter6.lua [--which all|1,3,...] [--data mnist|fashion|auto]
--                                   [--epochs n] [--subset n] [--seed n]
--
--   1 shallow      FC-100 sigmoid + softmax, eta 0.1                      97.80%
--   2 conv         conv-pool 20@5x5 + FC-100 + softmax, eta 0.1             98.78%
--   3 two-conv     conv-pool 20@5x5, 40@5x5 + FC-100 + softmax, eta 0.1     99.06%
--   4 relu         network 3 with ReLU, eta 0.03, lambda 0.1                99.23%
--   5 expanded     network 4 on the expanded data (250,000 images)          99.37%
--   6 dropout      network 5 with two FC-1000 layers, dropout 0.5, 40 epochs 99.60%
--   7 vote         a majority vote of five networks like 6                  99.67%
--
-- Mini-batches of 10, the log-likelihood cost, network3's initialisation;
-- 60 epochs (40 for 6 and 7) unless --epochs says otherwise. Each line of
-- the summary gives the book's MNIST figure beside lunet's test accuracy at
-- the epoch of best validation accuracy, as network3 reports it. The full
-- run is long, as it was for the book: about ten minutes for network 4 on
-- two cores, hours for 7; --epochs and --subset make a quick look.

local lunet = require "lunet"
local n3 = lunet.network3

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "which", "all", "networks to train: all, or numbers such as 1,4" },
  { "data", "auto", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "epochs", 0, "epochs per network (0: the book's, 60 or 40)", "whole" },
  { "subset", 0, "train on the first n training images only (0, or more than there are: all)", "whole" },
  { "seed", 1, "random seed", "integer" },
}, "The networks of the book's chapter 6, each beside the book's MNIST figure.")

local MB = 10

lunet.seed(opts.seed)
local training, validation, test, name = cli.load_data(opts.data)
if opts.subset > 0 and opts.subset < training.n then
  training = { x = training.x:narrow(1, 1, opts.subset), y = training.y:narrow(1, 1, opts.subset), n = opts.subset }
end

local function epochs(book) return opts.epochs > 0 and opts.epochs or book end

local function conv_pool(maps, c_in, side, activation)
  return n3.ConvPoolLayer { image_shape = { c_in, side, side }, filter_shape = { maps, c_in, 5, 5 },
    poolsize = { 2, 2 }, activation = activation }
end

local function two_conv(activation)
  return conv_pool(20, 1, 28, activation), conv_pool(40, 20, 12, activation)
end

local function expanded()
  return lunet.data.expand(training, { shifts = true })
end

-- Each returns the test accuracy at the best validation epoch (a fraction).
local function shallow()
  local net = n3.Network({
    n3.FullyConnectedLayer { n_in = 784, n_out = 100 },
    n3.SoftmaxLayer { n_in = 100, n_out = 10 },
  }, MB)
  local _, accuracy = net:SGD(training, epochs(60), MB, 0.1, validation, test)
  return accuracy
end

local function conv()
  local net = n3.Network({
    conv_pool(20, 1, 28),
    n3.FullyConnectedLayer { n_in = 20 * 12 * 12, n_out = 100 },
    n3.SoftmaxLayer { n_in = 100, n_out = 10 },
  }, MB)
  local _, accuracy = net:SGD(training, epochs(60), MB, 0.1, validation, test)
  return accuracy
end

local function two_conv_net(activation, fc)
  local c1, c2 = two_conv(activation)
  local blocks = { c1, c2 }
  if fc == 1000 then
    blocks[3] = n3.FullyConnectedLayer { n_in = 40 * 4 * 4, n_out = 1000, activation = activation, p_dropout = 0.5 }
    blocks[4] = n3.FullyConnectedLayer { n_in = 1000, n_out = 1000, activation = activation, p_dropout = 0.5 }
    blocks[5] = n3.SoftmaxLayer { n_in = 1000, n_out = 10, p_dropout = 0.5 }
  else
    blocks[3] = n3.FullyConnectedLayer { n_in = 40 * 4 * 4, n_out = 100, activation = activation }
    blocks[4] = n3.SoftmaxLayer { n_in = 100, n_out = 10 }
  end
  return n3.Network(blocks, MB)
end

local function two_conv_sigmoid()
  local _, accuracy = two_conv_net("sigmoid"):SGD(training, epochs(60), MB, 0.1, validation, test)
  return accuracy
end

local function relu()
  local _, accuracy = two_conv_net("relu"):SGD(training, epochs(60), MB, 0.03, validation, test, 0.1)
  return accuracy
end

local function relu_expanded()
  local _, accuracy = two_conv_net("relu"):SGD(expanded(), epochs(60), MB, 0.03, validation, test, 0.1)
  return accuracy
end

local function dropout()
  local _, accuracy = two_conv_net("relu", 1000):SGD(expanded(), epochs(40), MB, 0.03, validation, test)
  return accuracy
end

local function vote()
  local bigger = expanded()
  local nets = lunet.ensemble.train(5, function(i)
    print(("-- network %d of 5"):format(i))
    local net = two_conv_net("relu", 1000)
    net:SGD(bigger, epochs(40), MB, 0.03, validation, test)
    return net
  end, { seed = opts.seed * 100 })
  local r = lunet.ensemble.evaluate(nets, test)
  for i, a in ipairs(r.each) do print(("network %d alone: %.2f%%"):format(i, 100 * a)) end
  print(("all five agree on %.2f%% of the test images"):format(100 * r.agree))
  return r.vote
end

local NETWORKS = {
  { "FC-100 sigmoid", 97.80, shallow },
  { "conv-pool + FC-100", 98.78, conv },
  { "two conv-pool + FC-100", 99.06, two_conv_sigmoid },
  { "  ... ReLU, eta 0.03, lambda 0.1", 99.23, relu },
  { "  ... on expanded data", 99.37, relu_expanded },
  { "  ... two FC-1000, dropout 0.5", 99.60, dropout },
  { "  ... vote of 5", 99.67, vote },
}

local chosen = {}
if opts.which == "all" then
  for i = 1, #NETWORKS do chosen[#chosen + 1] = i end
else
  for item in opts.which:gmatch("[^,]+") do
    local i = math.tointeger(tonumber(item))
    if not i or not NETWORKS[i] then
      cli.fail("option --which takes numbers 1..%d, not %q", #NETWORKS, item)
    end
    chosen[#chosen + 1] = i
  end
end

print(("%s: %d training, %d validation, %d test images"):format(name, training.n, validation.n, test.n))
local results = {}
for _, i in ipairs(chosen) do
  local entry = NETWORKS[i]
  print(("\n== %d. %s"):format(i, entry[1]))
  local started = os.time()
  results[#results + 1] = { i, entry, entry[3](), os.time() - started }
end

print()
print(("%-38s %10s %10s %9s"):format("network", "book", "lunet", "time"))
for _, r in ipairs(results) do
  local accuracy = r[3] and ("%9.2f%%"):format(100 * r[3]) or "         -"
  print(("%d. %-35s %9.2f%% %s %8ds"):format(r[1], r[2][1], r[2][2], accuracy, r[4]))
end
if name ~= "mnist" then print("(the book's figures are for MNIST; Fashion-MNIST is a harder problem)") end
