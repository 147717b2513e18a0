-- Docstrings of lunet's modules and classes (tables), and of the C
-- functions the Lua modules re-export, by public name:
-- "signature\ndescription". See lunet/doc.lua.
return {
  ["lunet"] = [=[lunet
Deep learning for Lua 5.4 with a C core: tensors (lunet.zeros, lunet.tensor,
the methods of lunet.Tensor), linear algebra (lunet.linalg), layers and
models (lunet.nn, lunet.Network, lunet.network3), training (lunet.train,
lunet.optim, lunet.minimize, lunet.ensemble), data (lunet.data), plots
(lunet.plot), saving and loading (model:save, lunet.load), gradient checks
(lunet.gradcheck). lunet.version is the version string. help(x) describes
any of them.]=],
  ["lunet.nn"] = [=[lunet.nn
Layers and containers, as in Torch's nn: Linear, Conv2d, MaxPool, AvgPool,
L2Pool, Sigmoid, Tanh, ReLU, Identity, Step, Softmax, Dropout, BatchNorm,
Reshape, and Sequential to chain them. Every layer and model is a Module
(lunet.nn.Module: forward, backward, predict, classify, parameters,
save ...); the loops are C, these constructors only describe the layers.]=],
  ["lunet.nn.Module"] = [=[lunet.nn.Module
What every layer and every model can do (the methods below). A Module is a
list of layers over one C network with one block of parameters and one of
gradients; a layer on its own has a one-layer network, and put into a
Sequential its values move into the Sequential's network. Layers read
their parameters by name: layer.weight, layer.bias, layer.grad_weight,
layer.grad_bias (and gamma, beta, running_mean, running_var for BatchNorm);
take such views after the model is built.]=],
  ["lunet.nn.Sequential"] = [=[nn.Sequential(layers [, {input =, cost =, dtype = "float32"}]) -> model
Layers applied one after the other, over one C network. input is the
per-sample input shape ({784} or {1, 28, 28}; else learnt from the first
Linear or the first batch), cost "cross_entropy", "quadratic" or
"log_likelihood" (needed to train), dtype "float32" or "float64". Nested
Sequentials are flattened. Has every lunet.nn.Module method; train it with
lunet.train.sgd(model, data, {epochs =, eta =, ...}).]=],
  ["lunet.nn.Pool"] = [=[lunet.nn.Pool
The class of the pooling layers made by nn.MaxPool, nn.AvgPool and nn.L2Pool.]=],
  ["lunet.Network"] = [=[lunet.Network{sizes... [, cost =, init =, activation =, output =, dtype =]} -> net
The book's network2.py: Network{784, 30, 10} is fully connected sigmoid
layers with the cross-entropy cost, weights N(0, 1/n_in) and biases N(0, 1).
Options (in the sizes table or as a second table): cost = "cross_entropy" |
"quadratic" | "log_likelihood" (ends in a softmax), init = "default" |
"large" | "he" | "xavier" | "zeros", activation = a name for the hidden
layers or one name per layer ("sigmoid", "tanh", "relu", "identity",
"step"), output = the output layer's (by default the one the cost needs:
sigmoid for cross_entropy, softmax for log_likelihood, the hidden layers'
for quadratic), dtype = "float32" | "float64". net.weights[l] and
net.biases[l] (1-based) are views of layer l's parameters, net.sizes the
sizes. A Network is a Sequential: every lunet.nn.Module method works too.]=],
  ["lunet.network3"] = [=[lunet.network3
The vocabulary of the book's network3.py (chapter 6): ConvPoolLayer,
FullyConnectedLayer, SoftmaxLayer, Network(blocks, mini_batch_size), and the
activation names network3.sigmoid, network3.tanh, network3.ReLU,
network3.linear. The networks are ordinary lunet Sequentials.]=],
  ["lunet.train"] = [=[lunet.train
Mini-batch stochastic gradient descent for any model with a cost (sgd),
each epoch in C, with monitors, learning-rate schedules, early stopping,
momentum and adaptive optimisers, checkpoints; and measurements (evaluate,
gradient_norms) that leave training unchanged.]=],
  ["lunet.optim"] = [=[lunet.optim
Optimisation entry points: a network and a data set as one function of its
parameters (objective), parameters in and out (get_params, set_params),
the core's mini-batch optimisers for loops in Lua (optimizer, kinds), the
minimisers of lunet.minimize (minimize), Hessian-vector products (hvp),
the full Hessian and the Newton step.]=],
  ["lunet.optim.kinds"] = [=[lunet.optim.kinds
The names of the mini-batch optimisers ("sgd", "adam", ...): the values of
lunet.train.sgd's optimizer option and of optim.optimizer's kind.]=],
  ["lunet.minimize"] = [=[lunet.minimize
Classic minimisers of a smooth f(x) -> cost, grad: gradient descent with
fixed steps (plain, momentum, Nesterov), nonlinear conjugate gradient, BFGS,
L-BFGS and damped Newton, with a strong Wolfe line search (Nocedal and
Wright). Vector arithmetic is tensor methods, so the loops run in C.]=],
  ["lunet.ensemble"] = [=[lunet.ensemble
Several networks trained from different seeds, deciding by majority vote
(the book's last step on MNIST): train, vote, evaluate.]=],
  ["lunet.data"] = [=[lunet.data
The MNIST and Fashion-MNIST data sets in the book's split (mnist,
fashion_mnist, load, load_default), their class names, the MNIST
downloader, IDX files, and expansion of a training set by shifts and
rotations. Loaded on first use of lunet.data. A data set is a table
{x = inputs (N, ...), y = labels (N) or targets (N, outputs), n = N, name =}.]=],
  ["lunet.data.MNIST_FILES"] = [=[lunet.data.MNIST_FILES
The canonical MNIST files: file name -> {size = bytes, md5 = hex digest},
what download_mnist checks each download against.]=],
  ["lunet.data.MNIST_MIRRORS"] = [=[lunet.data.MNIST_MIRRORS
The base URLs download_mnist tries, in order.]=],
  ["lunet.data.load_idx"] = [=[data.load_idx(path [, scale = 1]) -> tensor
An IDX file (MNIST's format, plain or gzip-compressed) as a float32 tensor
of the stored shape, every value multiplied by `scale` (1/255 gives pixels
in [0, 1]). Sizes are checked against the file before anything is allocated.]=],
  ["lunet.perceptron"] = [=[lunet.perceptron
The book's chapter 1 before sigmoid neurons: perceptrons (output 1 when
w . x + b > 0, else 0) as lunet Networks with step activations, NAND
gates and circuits of them (an adder), and Rosenblatt's learning rule.]=],
  ["lunet.perceptron.HALF_ADDER"] = [=[lunet.perceptron.HALF_ADDER
The book's adder of two bits as a circuit of NAND gates: a list of gates,
each the pair of nodes it reads (inputs are nodes 1 and 2, gate k is node
2 + k); node 6 is the sum bit, node 7 the carry.]=],
  ["lunet.perceptron.TWO_BIT_ADDER"] = [=[lunet.perceptron.TWO_BIT_ADDER
Two 2-bit numbers (nodes 1..4) added by NAND gates: a half adder on the low
bits and a full adder on the high bits; nodes {18, 17, 8} are the three
bits of the sum, most significant first.]=],
  ["lunet.universality"] = [=[lunet.universality
The book's chapter 4: networks with one hidden layer that compute any
continuous function, built as ordinary lunet Networks with their weights
set (steps, bumps, staircases that approximate a function).]=],
  ["lunet.tune"] = [=[lunet.tune
The experimenter's tools of the book's chapter 3: the learning-rate
threshold, grid and random search over training options (in worker
processes, resumable), and mini-batch size against time to an accuracy.]=],
  ["lunet.diagnose"] = [=[lunet.diagnose
Looking inside a network (the book's chapter 5): every layer's z and a,
the saturated fraction of each activation layer, per-neuron bias
gradients, slices of the cost surface; nothing changes the network.]=],
  ["lunet.plot"] = [=[lunet.plot
Charts as SVG documents (line, bar, images, heatmap, grid, monitor, save)
or terminal text (text, show). Every function takes a table of options
(unknown names are errors) and accepts Lua arrays or tensors; with
`file =` the SVG is also written there. Loaded on first use of lunet.plot.]=],
}
