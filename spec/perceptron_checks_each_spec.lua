-- lunet.perceptron's checks, each condition alone and each bound on both
-- sides: circuit inputs, gates reading only earlier nodes (node 1 and
-- node - 1 taken, 0 and node refused), outputs 1..n_nodes, truth tables of
-- 1..20 bits, parity and XOR-tree sizes, and train's eta, epochs, data and
-- target shape.
local lunet = require "lunet"
local H = require "spec.helpers"
local P = lunet.perceptron

local refused = H.refused

describe("perceptron checks, each condition alone", function()
  it("a circuit's inputs, gates and outputs", function()
    for _, n in ipairs { 0, 1.5, "2" } do
      refused("the number of inputs must be a positive integer", P.circuit, n, { { 1, 1 } }, { 2 })
    end
    refused("gates must be a non-empty list", P.circuit, 2, {}, { 1 })
    refused("gate 1 must be {a, b}", P.circuit, 2, { { 1 } }, { 3 })
    refused("gate 1 must be {a, b}", P.circuit, 2, { { 1, 2, 1 } }, { 3 })
    refused("gate 1 (node 3) reads node 0; it may read only nodes 1..2", P.circuit, 2, { { 0, 1 } }, { 3 })
    refused("gate 1 (node 3) reads node 3; it may read only nodes 1..2", P.circuit, 2, { { 1, 3 } }, { 3 })
    refused("gate 2 (node 4) reads node 1.5", P.circuit, 2, { { 1, 2 }, { 1.5, 3 } }, { 4 })
    assert.is_not_nil(P.circuit(2, { { 1, 2 }, { 1, 3 } }, { 4 }))
    refused("outputs must be a non-empty list", P.circuit, 2, { { 1, 2 } }, {})
    refused("output 1 is node 0, not one of 1..3", P.circuit, 2, { { 1, 2 } }, { 0 })
    refused("output 2 is node 4, not one of 1..3", P.circuit, 2, { { 1, 2 } }, { 3, 4 })
    assert.is_not_nil(P.circuit(2, { { 1, 2 } }, { 1, 3 }))
  end)

  it("truth tables take 1..20 bits, parity networks n >= 1, XOR trees n >= 2", function()
    for _, n in ipairs { 0, 21, 1.5 } do
      refused("perceptron.truth_table: n must be an integer in 1..20", P.truth_table, n)
    end
    assert.are.same({ { 0 }, { 1 } }, P.truth_table(1):totable())
    assert.are.same({ { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } }, P.truth_table(2):totable())
    refused("perceptron.parity_network: n must be a positive integer", P.parity_network, 0)
    refused("perceptron.parity_network: n must be a positive integer", P.parity_network, 1.5)
    refused("perceptron.xor_tree: n must be an integer in 2..1048576", P.xor_tree, 1)
    refused("perceptron.xor_tree: n must be an integer in 2..1048576", P.xor_tree, 2.5)
    assert.is_not_nil(P.xor_tree(2))
  end)

  it("train's eta, epochs, data and target shape", function()
    local data = { x = lunet.tensor({ { 0, 0 }, { 1, 1 } }, "float64"), y = lunet.tensor({ 0, 1 }, "float64") }
    local function net() return P.network { 2, 1 } end
    for _, eta in ipairs { 0, -1, math.huge, 0 / 0, "1" } do
      refused("perceptron.train: eta must be a finite number > 0", P.train, net(), data, { eta = eta })
    end
    for _, e in ipairs { 0, 1.5 } do
      refused("perceptron.train: epochs must be an integer >= 1", P.train, net(), data, { epochs = e })
    end
    refused("perceptron.train: data must be {x = tensor, y = tensor}", P.train, net(), { x = data.x })
    refused("perceptron.train: data must be {x = tensor, y = tensor}", P.train, net(), { y = data.y })
    refused("perceptron.train: 2 samples but y has the wrong shape", P.train, net(),
      { x = data.x, y = lunet.tensor({ 0, 1, 1 }, "float64") })
    refused("perceptron.train: 2 samples but y has the wrong shape", P.train, net(),
      { x = data.x, y = lunet.zeros(2, 1, 1, "float64") })
    local r = P.train(net(), data, { eta = 1e-300, epochs = 1 })
    assert.are.equal(1, r.epochs)
  end)
end)
