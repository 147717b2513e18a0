-- lunet.perceptron: the book's chapter 1 before sigmoid neurons. A
-- perceptron outputs 1 when w . x + b > 0 and 0 otherwise: a Linear layer
-- followed by a Step activation, so a network of perceptrons is an ordinary
-- lunet.Network with activation = "step" (feedforward, save and the plots
-- work on it).
--
--   local perceptron = lunet.perceptron
--   local nand = perceptron.nand()                  -- w = (-2, -2), b = 3
--   local adder = perceptron.circuit(2, perceptron.HALF_ADDER, { 6, 7 })
--   local net = perceptron.network{ 2, 1 }
--   local result = perceptron.train(net, data, { eta = 1, epochs = 100 })
--
-- The step's derivative is 0 wherever it exists, so gradient-based training
-- refuses step networks (train.sgd, objectives and gradient norms name the
-- step layer); perceptron.train runs Rosenblatt's rule instead, one pass
-- over the samples per call of the C core.

local errors = require "lunet.errors"
local core = require "lunet.core"
local options = require "lunet.opts"
local Network = require "lunet.network"

local perceptron = {}

--- perceptron.network(sizes [, opts]) -> Network
-- A network of perceptrons: lunet.Network(sizes) with step activations in
-- every layer and the quadratic cost (the cross-entropy needs sigmoid
-- outputs). opts: init (as Network's, default "default"), dtype
-- ("float32" or "float64", default "float64": the rule's sums are exact
-- for small integer weights). Set weights through net.weights[l] and
-- net.biases[l], or learn a one-layer network with perceptron.train.
function perceptron.network(sizes, opts)
  local o = options.check("perceptron.network", opts, { "init", "dtype" })
  return Network(sizes, { activation = "step", cost = "quadratic", init = o.init, dtype = o.dtype or "float64" })
end

--- perceptron.nand([opts]) -> Network
-- The book's NAND gate: one perceptron with weights -2, -2 and bias 3, so
-- it outputs 0 only for the input (1, 1). opts as perceptron.network's.
function perceptron.nand(opts)
  local net = perceptron.network({ 2, 1 }, opts)
  net.weights[1]:fill(-2)
  net.biases[1]:fill(3)
  return net
end

-- ---- circuits of NAND gates ------------------------------------------------

-- The book's adder of two bits x1, x2 (nodes 1 and 2): gate k is node 2 + k.
-- Node 6 is the bitwise sum x1 XOR x2, node 7 the carry x1 AND x2 (the NAND
-- of node 3 with itself, the book's weight -4).
perceptron.HALF_ADDER = { { 1, 2 }, { 1, 3 }, { 2, 3 }, { 4, 5 }, { 3, 3 } }

-- Two numbers of two bits, a = 2 x1 + x2 and b = 2 x3 + x4 (nodes 1..4),
-- added by a half adder on the low bits (gates 1-5: node 8 is the low sum
-- bit, node 9 its carry) and a full adder on the high bits and that carry
-- (gates 6-14: node 17 is the middle bit, node 18 the carry out). The
-- outputs {18, 17, 8} are the three bits of a + b, most significant first.
perceptron.TWO_BIT_ADDER = {
  { 2, 4 }, { 2, 5 }, { 4, 5 }, { 6, 7 }, { 5, 5 },                  -- half adder: 5..9
  { 1, 3 }, { 1, 10 }, { 3, 10 }, { 11, 12 },                        -- x = a1 XOR b1: 10..13
  { 13, 9 }, { 13, 14 }, { 9, 14 }, { 15, 16 },                      -- x XOR carry: 14..17
  { 10, 14 },                                                        -- carry out: 18
}

-- A node in a message: a string "3" had read as node 3.
local function node_name(a)
  return type(a) == "string" and options.shown(a) or "node " .. tostring(a)
end

-- Depth of every node (inputs 0) and checks on the gate list. The lists
-- are walked by index to their length: ipairs stopped at a hole, and the
-- gates and outputs after it were never checked.
local function depths(n_in, gates)
  if math.type(n_in) ~= "integer" or n_in < 1 then
    errors.raise("perceptron.circuit: the number of inputs must be a positive integer")
  end
  if type(gates) ~= "table" or #gates < 1 then errors.raise("perceptron.circuit: gates must be a non-empty list") end
  local depth = {}
  for i = 1, n_in do depth[i] = 0 end
  for k = 1, #gates do
    local g, node = gates[k], n_in + k
    if type(g) ~= "table" or #g ~= 2 then errors.raise(("perceptron.circuit: gate %d must be {a, b}"):format(k)) end
    for _, a in ipairs(g) do
      if math.type(a) ~= "integer" or a < 1 or a >= node then
        errors.raise(
          ("perceptron.circuit: gate %d (node %d) reads %s; it may read only nodes 1..%d"):format(k, node,
          node_name(a), node - 1))
      end
    end
    depth[node] = 1 + math.max(depth[g[1]], depth[g[2]])
  end
  return depth
end

-- The last layer at which each node is read (outputs are read after the top).
local function last_use(n_in, gates, outputs, depth, top)
  local last = {}
  for k, g in ipairs(gates) do
    for _, a in ipairs(g) do last[a] = math.max(last[a] or 0, depth[n_in + k]) end
  end
  for _, o in ipairs(outputs) do last[o] = top + 1 end
  return last
end

-- The nodes present in layer L (1..top): the gates of depth L, and copies
-- of every earlier node still to be read after L. The top layer holds
-- exactly the outputs, in order.
local function layer_nodes(n_nodes, depth, last, outputs, top)
  local layers = {}
  for L = 1, top - 1 do
    local list = {}
    for node = 1, n_nodes do
      if depth[node] == L or (depth[node] < L and (last[node] or 0) > L) then list[#list + 1] = node end
    end
    layers[L] = list
  end
  layers[top] = { table.unpack(outputs) }
  return layers
end

-- The weights of one unit of layer L, reading the nodes of layer L - 1.
-- A NAND gate: -2 per input edge (-4 when both edges come from one node)
-- and bias 3; a copy: weight 1 and bias -1/2, so step(x - 1/2) = x on bits.
local function set_unit(net, L, row, node, n_in, gates, depth, prev)
  local w, b = net.weights[L], net.biases[L]
  local col = {}
  for j, p in ipairs(prev) do col[p] = j end
  w[row]:zero_()
  if node > n_in and depth[node] == L then
    for _, a in ipairs(gates[node - n_in]) do w[{ row, col[a] }] = w[{ row, col[a] }] - 2 end
    b[row] = 3
  else
    w[{ row, col[node] }] = 1
    b[row] = -0.5
  end
end

--- perceptron.circuit(n_inputs, gates, outputs [, opts]) -> Network, layers
-- A circuit of NAND gates as a layered network of perceptrons. Nodes
-- 1..n_inputs are the inputs; gates[k] = {a, b} is node n_inputs + k, the
-- NAND of nodes a and b (earlier nodes; a == b gives NOT). outputs lists
-- the nodes the network returns, in order. Each gate is the book's NAND
-- perceptron (weights -2, bias 3; -4 for a doubled edge); a value needed
-- by a later layer is carried by a copy perceptron (weight 1, bias -1/2),
-- since every lunet layer reads only the one before. Returns the network
-- (perceptron.network's opts) and, per layer, the list of nodes its units
-- compute. Errors on a gate that reads a later node or a bad list.
function perceptron.circuit(n_in, gates, outputs, opts)
  local depth = depths(n_in, gates)
  local n_nodes = n_in + #gates
  if type(outputs) ~= "table" or #outputs < 1 then errors.raise(
    "perceptron.circuit: outputs must be a non-empty list") end
  local top = 1
  for i = 1, #outputs do
    local o = outputs[i]
    if math.type(o) ~= "integer" or o < 1 or o > n_nodes then
      errors.raise(("perceptron.circuit: output %d is %s, not one of 1..%d"):format(i, node_name(o), n_nodes))
    end
    top = math.max(top, depth[o])
  end
  local last = last_use(n_in, gates, outputs, depth, top)
  local layers = layer_nodes(n_nodes, depth, last, outputs, top)
  local sizes = { n_in }
  for L = 1, top do sizes[L + 1] = #layers[L] end
  local net = perceptron.network(sizes, opts)
  local inputs = {}
  for i = 1, n_in do inputs[i] = i end
  for L = 1, top do
    local prev = L == 1 and inputs or layers[L - 1]
    for row, node in ipairs(layers[L]) do set_unit(net, L, row, node, n_in, gates, depth, prev) end
  end
  return net, layers
end

--- perceptron.truth_table(n [, dtype]) -> tensor
-- Every input of n bits as the rows of a (2^n, n) tensor, in counting
-- order: row r holds the binary digits of r - 1, most significant first.
-- dtype defaults to "float64"; n is 1..20.
function perceptron.truth_table(n, dtype)
  if math.type(n) ~= "integer" or n < 1 or n > 20 then
    errors.raise("perceptron.truth_table: n must be an integer in 1..20")
  end
  local rows = {}
  for r = 0, (1 << n) - 1 do
    local row = {}
    for j = 1, n do row[j] = (r >> (n - j)) & 1 end
    rows[r + 1] = row
  end
  return core.tensor(rows, dtype or "float64")
end

-- ---- parity ------------------------------------------------------------------

--- perceptron.parity_data(n [, dtype]) -> data
-- Every input of n bits with its parity: {x = (2^n, n) as truth_table,
-- y = 2^n labels (1 when the number of ones is odd), n = 2^n}, the data
-- set format of lunet.train. dtype defaults to "float64".
function perceptron.parity_data(n, dtype)
  if math.type(n) ~= "integer" or n < 1 or n > 20 then
    errors.raise("perceptron.parity_data: n must be an integer in 1..20")
  end
  local x = perceptron.truth_table(n, dtype)
  local labels = {}
  for r = 0, (1 << n) - 1 do
    local ones, v = 0, r
    while v > 0 do ones, v = ones + (v & 1), v >> 1 end
    labels[r + 1] = ones % 2
  end
  return { x = x, y = core.tensor(labels, dtype or "float64"), n = 1 << n }
end

--- perceptron.parity_network(n [, opts]) -> Network
-- Parity of n bits with one hidden layer of n perceptrons: hidden unit k
-- (weights 1, bias 1/2 - k) fires when at least k inputs are 1, and the
-- output (weights +1, -1, +1, ... , bias -1/2) fires when an odd number of
-- hidden units fire. opts as perceptron.network's.
function perceptron.parity_network(n, opts)
  if math.type(n) ~= "integer" or n < 1 then errors.raise("perceptron.parity_network: n must be a positive integer") end
  local net = perceptron.network({ n, n, 1 }, opts)
  local b, v = {}, {}
  for k = 1, n do b[k], v[k] = 0.5 - k, k % 2 == 1 and 1 or -1 end
  net.weights[1]:fill(1)
  net.biases[1]:copy(core.tensor(b, "float64"))
  net.weights[2]:copy(core.tensor({ v }, "float64"))
  net.biases[2]:fill(-0.5)
  return net
end

--- perceptron.xor_tree(n) -> gates, output
-- Parity of n bits as a circuit of NAND gates for perceptron.circuit: a
-- balanced tree of XORs (four NANDs each), n - 1 XORs and ceil(log2 n)
-- levels; n is 2..2^20. Returns the gate list and the output node.
function perceptron.xor_tree(n)
  -- 4 (n - 1) gate tables: 10^9 inputs ran until the memory ran out
  if math.type(n) ~= "integer" or n < 2 or n > 1 << 20 then
    errors.raise("perceptron.xor_tree: n must be an integer in 2..1048576")
  end
  local gates, level = {}, {}
  for i = 1, n do level[i] = i end
  local function gate(a, b)
    gates[#gates + 1] = { a, b }
    return n + #gates
  end
  while #level > 1 do
    local next_level = {}
    for i = 1, #level - 1, 2 do
      local a, b = level[i], level[i + 1]
      local m = gate(a, b)
      next_level[#next_level + 1] = gate(gate(a, m), gate(b, m))
    end
    if #level % 2 == 1 then next_level[#next_level + 1] = level[#level] end
    level = next_level
  end
  return gates, level[1]
end

-- ---- the perceptron learning rule -------------------------------------------

-- The single Linear + Step layer of a network, or an error.
local function only_layer(net)
  local layers = type(net) == "table" and net.layers and net:layers()
  if not layers or #layers ~= 2 or layers[1].spec.type ~= "dense" or layers[2].spec.type ~= "act"
    or layers[2].spec.act ~= "step" then
    errors.raise("perceptron.train: the network must be one layer of perceptrons (perceptron.network{n_in, n_out})")
  end
  return layers[1]
end

-- Targets as an (n, k) tensor of 0s and 1s in dtype: from (n, k) as given;
-- from n labels, 0/1 for one neuron or one-hot classes 0..k-1 for k.
local function targets(y, n, k, dtype)
  local shape = y:shape()
  if #shape == 2 then return y:to(dtype):contiguous() end
  if #shape ~= 1 or shape[1] ~= n then
    errors.raise(("perceptron.train: %d samples but y has the wrong shape"):format(n))
  end
  if k == 1 then return y:to(dtype):contiguous():view(n, 1) end
  return core.one_hot(y, k, dtype)
end

--- perceptron.train(net, data [, opts]) -> result
-- Rosenblatt's rule on a one-layer perceptron network (perceptron.network{d, k}):
-- for each sample in order and each neuron, w <- w + eta (t - y) x and
-- b <- b + eta (t - y), where y is the neuron's output. data = {x = (n, d),
-- y = labels}: y holds 0/1 targets (one neuron), class labels 0..k-1 (k
-- neurons, one per class), or an (n, k) tensor of 0/1 targets. Each epoch
-- is one call of the C core. Stops after the first epoch without a mistake
-- (the layer then separates the set, which the convergence theorem
-- promises for linearly separable data) or after `epochs`. opts: eta
-- (default 1), epochs (default 100). Returns {converged = bool, epochs =
-- epochs run, mistakes = {per epoch}}; the network keeps what it learned.
function perceptron.train(net, data, opts)
  local o = options.check("perceptron.train", opts, { "eta", "epochs" })
  local eta, epochs = o.eta or 1, o.epochs or 100
  if type(eta) ~= "number" or not (eta > 0 and eta < math.huge) then
    errors.raise("perceptron.train: eta must be a finite number > 0")
  end
  if math.type(epochs) ~= "integer" or epochs < 1 then errors.raise(
    "perceptron.train: epochs must be an integer >= 1") end
  local layer = only_layer(net)
  if type(data) ~= "table" or not core.is_tensor(data.x)
    or not core.is_tensor(data.y) then
    errors.raise("perceptron.train: data must be {x = tensor, y = tensor}")
  end
  local w, b = layer.weight, layer.bias
  local dtype = w:dtype()
  local n = data.x:shape()[1]
  -- n = 0 would divide the row length by zero below
  if math.type(n) ~= "integer" or n < 1 then errors.raise("perceptron.train: data.x must hold at least one sample") end
  local x = data.x:to(dtype):contiguous()
  x = x:view(n, x:numel() // n)
  local t = targets(data.y, n, w:shape()[1], dtype)
  local mistakes = {}
  for epoch = 1, epochs do
    mistakes[epoch] = errors.call("perceptron.train", "perceptron_epoch", core.perceptron_epoch, x, t, w, b, eta)
    if mistakes[epoch] == 0 then return { converged = true, epochs = epoch, mistakes = mistakes } end
  end
  return { converged = false, epochs = epochs, mistakes = mistakes }
end

return perceptron
