-- examples/parity.lua: deep against shallow on n-bit parity (the notes'
-- argument: some functions take far more units in a shallow circuit than
-- in a deep one; parity is the classic case).
--
--   bin/lunet examples/parity.lua [--max_n 6] [--depth 3] [--epochs 2000] [--tries 3] [--out out]
--
-- 1. Built by hand, as step networks checked on all 2^n inputs: one hidden
--    layer of n perceptrons (unit k fires when at least k bits are 1; the
--    output alternates +1, -1), and a deep circuit, a balanced tree of
--    XORs made of NAND perceptrons (4 (n - 1) gates, 3 ceil(log2 n) layers).
-- 2. Learned: for each n, the narrowest network that learns parity on all
--    2^n inputs (accuracy >= --target, default 1.0) within --epochs epochs
--    from one of --tries random starts (Adam, eta 0.01, mini-batches of 4,
--    log-likelihood over two softmax outputs), searched over widths 1, 2,
--    3, ...: a shallow network n-H-2, and a deep one with --depth hidden
--    layers of H units each. The widths depend on that training budget:
--    they measure what SGD finds, not what exists.
-- Writes out/parity.svg: hidden units needed against n.

local lunet = require "lunet"
local plot = lunet.plot
local P = lunet.perceptron

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "min_n", 2, "smallest number of bits", "count" },
  { "max_n", 6, "largest number of bits (7 or 8 take minutes)", "count" },
  { "depth", 3, "hidden layers of the deep network", "count" },
  { "epochs", 2000, "training budget per start", "count" },
  { "tries", 3, "random starts per width", "count" },
  { "target", 1.0, "training accuracy (fraction of the 2^n inputs) that counts as learned", "fraction" },
  { "max_width", 40, "widest layer tried", "count" },
  { "eta", 0.01, "Adam's learning rate", "positive" },
  { "batch", 4, "mini-batch size", "count" },
  { "seed", 1, "first random seed (start k uses seed + k - 1)", "integer" },
  { "out", "out", "directory for the plot", "dir" },
}, "n-bit parity: units needed by a shallow and by a deep network.")

if opts.min_n < 2 or opts.max_n < opts.min_n or opts.max_n > 16 then
  cli.fail("options --min_n and --max_n need 2 <= min_n <= max_n <= 16, got %d and %d", opts.min_n, opts.max_n)
end

-- 1. by hand
print("1. Parity built by hand (step networks, checked on every input):")
print(("   %-4s %-34s %-44s"):format("n", "shallow: hidden units, right", "deep XOR tree: NAND gates, layers, right"))
for n = opts.min_n, opts.max_n do
  local data = P.parity_data(n)
  local shallow = P.parity_network(n)
  local right1 = 0 + shallow:feedforward(data.x):view(data.n):eq(data.y):sum()
  local gates, out = P.xor_tree(n)
  local deep, layers = P.circuit(n, gates, { out })
  local right2 = 0 + deep:feedforward(data.x):view(data.n):eq(data.y):sum()
  print(("   %-4d %-34s %-44s"):format(n, ("%d, %d / %d"):format(n, right1, data.n),
    ("%d, %d, %d / %d"):format(#gates, #layers, right2, data.n)))
end

-- 2. learned
local function sizes(n, width, depth)
  local s = { n }
  for _ = 1, depth do s[#s + 1] = width end
  s[#s + 1] = 2
  return s
end

-- The first epoch (checked every 25) at which the network reaches the
-- target accuracy, or nil.
local CHECK = 25
local function learns(data, layer_sizes, seed)
  lunet.seed(seed)
  local net = lunet.Network(layer_sizes, { cost = "log_likelihood", dtype = "float64" })
  local need, solved = math.ceil(opts.target * data.n - 1e-9), nil
  net:SGD(data, opts.epochs, opts.batch, opts.eta, { optimizer = "adam", verbose = false, progress = false,
    on_epoch = function(epoch)
      -- accuracy is a fraction: count the inputs it classifies right
      if epoch % CHECK == 0 and math.floor(net:accuracy(data) * data.n + 0.5) >= need then
        solved = epoch
        return false
      end
    end })
  local params = 0
  for l = 1, #layer_sizes - 1 do params = params + (layer_sizes[l] + 1) * layer_sizes[l + 1] end
  return solved, params
end

local function narrowest(n, depth)
  local data = P.parity_data(n)
  for width = 1, opts.max_width do
    for k = 1, opts.tries do
      local epoch, params = learns(data, sizes(n, width, depth), opts.seed + k - 1)
      if epoch then return width, params, epoch, k end
    end
  end
  return nil
end

print(("\n2. Learned (Adam eta %g, mini-batch %d, at most %d epochs per start, %d starts per width, target %g%% "
  .. "of the 2^n inputs):"):format(opts.eta, opts.batch, opts.epochs, opts.tries, 100 * opts.target))
print(("   %-4s %-44s %-44s"):format("n", "shallow n-H-2: H (parameters, epochs)",
  ("deep, %d hidden layers: H, total units (parameters, epochs)"):format(opts.depth)))
local ns, shallow_units, deep_units, deep_width, hand = {}, {}, {}, {}, {}
local t0 = os.clock()
for n = opts.min_n, opts.max_n do
  local sw, sp, se = narrowest(n, 1)
  local dw, dp, de = narrowest(n, opts.depth)
  ns[#ns + 1], hand[#hand + 1] = n, n
  shallow_units[#shallow_units + 1] = sw or 0 / 0
  deep_units[#deep_units + 1] = dw and dw * opts.depth or 0 / 0
  deep_width[#deep_width + 1] = dw or 0 / 0
  local s_text = sw and ("%d (%d, %d)"):format(sw, sp, se) or ("none up to %d"):format(opts.max_width)
  local d_text = dw and ("%d, %d (%d, %d)"):format(dw, dw * opts.depth, dp, de)
    or ("none up to %d"):format(opts.max_width)
  print(("   %-4d %-44s %-44s"):format(n, s_text, d_text))
end
print(("   (%.1f s CPU)"):format(os.clock() - t0))

local file = opts.out .. "/parity.svg"
plot.line { title = "n-bit parity: hidden units needed to learn all 2^n inputs", xlabel = "n (bits)",
  ylabel = "hidden units", markers = true, width = 720, height = 420, file = file, series = {
    { name = "shallow, learned (H)", x = ns, y = shallow_units },
    { name = ("deep, learned (all %d x H)"):format(opts.depth), x = ns, y = deep_units },
    { name = "deep, learned (H per layer)", x = ns, y = deep_width },
    { name = "shallow, by hand (n step units)", x = ns, y = hand },
  } }
print("plot: " .. file)
