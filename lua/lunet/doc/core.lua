-- Docstrings of lunet's C functions and of tables (modules, classes), by
-- public name: "signature\ndescription". See lunet/doc.lua.
return {
  ["lunet.zeros"] = "lunet.zeros(d1, ...) -> tensor\nA float32 tensor of the given shape filled with zeros.",
  ["lunet.Network"] = [=[lunet.Network{sizes... [, cost =, init =, activation =, dtype =]} -> net
The book's network2.py: Network{784, 30, 10} is fully connected sigmoid
layers with the cross-entropy cost, weights N(0, 1/n_in) and biases N(0, 1).
Options (in the sizes table or as a second table): cost = "cross_entropy" |
"quadratic" | "log_likelihood" (ends in a softmax), init = "default" |
"large" | "he" | "xavier" | "zeros", activation = a name or one name per
layer ("sigmoid", "tanh", "relu", "identity"), dtype. net.weights[l] and
net.biases[l] (1-based) are views of layer l's parameters, net.sizes the
sizes. A Network is a Sequential: every lunet.nn.Module method works too.]=],
}
