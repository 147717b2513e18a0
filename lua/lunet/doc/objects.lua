-- Docstrings of the C objects a model hands out: the network of
-- model:net() (lunet.nn.Net) and the optimizer of lunet.optim.optimizer
-- (lunet.optim.Optimizer), by public name: "signature\ndescription". See
-- lunet/doc.lua.
return {
  ["lunet.nn.Net"] = [=[lunet.nn.Net
The methods of the C network that model:net() returns (lunet.core's Net
userdata): one contiguous block of parameters and one of gradients, the
layers' buffers, the cost. The model's own methods (forward, backward,
output, save ...) call these; use them for loops written in Lua, with
lunet.optim.optimizer. Layers are numbered from 1 in the network's order.]=],
  ["lunet.nn.Net.forward"] = [=[net:forward(x [, train = false]) -> tensor
The outputs for a batch x (samples, ...) as a new tensor, keeping what
backward needs; train = true runs dropout and batch normalisation in their
training mode. NaN or infinite inputs are an error.]=],
  ["lunet.nn.Net.backward"] = [=[net:backward(dy [, need_dx = true]) -> dx
dy: the gradient of a loss with respect to the outputs of the last
forward, as many values as it had outputs. Adds to the gradient block and
returns the gradient with respect to the inputs (nothing when need_dx is false).]=],
  ["lunet.nn.Net.output"] = [=[net:output(i) -> tensor
A copy of what layer i gave in the last forward (i = 0: the input),
(samples, ...); model:trace reads z and a from here.]=],
  ["lunet.nn.Net.predict"] = [=[net:predict(x) -> tensor
The outputs for a batch x in evaluation mode, computed in chunks: what
model:output returns for a batch.]=],
  ["lunet.nn.Net.zero_grad"] = [=[net:zero_grad()
Sets the whole gradient block to zero.]=],
  ["lunet.nn.Net.parameters"] = [=[net:parameters() -> tensor
Every parameter of the network as one 1-d view of its parameter block
(writing into it changes the network); numel() is the parameter count.]=],
  ["lunet.nn.Net.gradients"] = [=[net:gradients() -> tensor
The gradient block as one 1-d view, in the order of net:parameters().]=],
  ["lunet.nn.Net.param"] = [=[net:param(layer, name [, kind = "value"]) -> tensor
A view of one parameter of layer `layer`: name "weight", "bias", "gamma"
or "beta"; kind "value", "grad" (its gradient) or "state" (batch norm's
"running_mean" and "running_var"). layer.weight and the like read these.]=],
  ["lunet.nn.Net.layer"] = [=[net:layer(i) -> table
Facts about layer i: {type =, act = (activations), spec =, input = shape,
output = shape, params = {names}, state = {names}}.]=],
  ["lunet.nn.Net.info"] = [=[net:info() -> table
{input =, output = (per-sample shapes), nlayers =, nparams =, dtype =,
cost = (nil when none)}; model:info() returns it.]=],
  ["lunet.nn.Net.set_cost"] = [=[net:set_cost(name)
Sets the cost: "cross_entropy", "quadratic" or "log_likelihood"
(model:set_cost checks the name and keeps the model's record too).]=],
  ["lunet.nn.Net.clone"] = [=[net:clone([dtype]) -> net
A new network with the same layers and values, converted when a dtype is given.]=],
  ["lunet.nn.Net.save"] = [=[net:save(path)
Writes the network as model:save does (lunet.load reads it back).]=],
  ["lunet.nn.Net.gradcheck"] = [=[net:gradcheck(x, t [, {reg =, c =, eps = 1e-5, input = true}]) -> worst, details
The core of lunet.gradcheck, on a float64 network: back-propagation against
central differences; reg "l2" or "l1" with c = lambda / n. Use lunet.gradcheck,
which copies any model to float64 first.]=],
  ["lunet.nn.Net.close"] = [=[net:close()
Frees the network's memory now rather than at collection; any later use of
it (or of the model over it) is an error.]=],

  ["lunet.optim.Optimizer"] = [=[lunet.optim.Optimizer
The methods of what lunet.optim.optimizer(model, {kind =, ...}) returns: one
optimizer for one network, with its hyperparameters and its state (SGD's
velocity, Adam's moments ...), for loops written in Lua or as train.sgd's
optimizer option (it then carries its state from one call to the next).]=],
  ["lunet.optim.Optimizer.step"] = [=[opt:step(net)
One update of net's parameters (model:net()) from the gradients a backward
pass (or f(w) of optim.objective) left in its gradient block; an error for
any network but the one the optimizer was made for.]=],
  ["lunet.optim.Optimizer.check"] = [=[opt:check(net)
An error unless the optimizer was made for net (model:net()).]=],
  ["lunet.optim.Optimizer.eta"] = [=[opt:eta() -> number
The learning rate.]=],
  ["lunet.optim.Optimizer.set_eta"] = [=[opt:set_eta(eta)
Sets the learning rate (a finite number > 0) for the next steps.]=],
  ["lunet.optim.Optimizer.get"] = [=[opt:get(name) -> number or boolean
A hyperparameter's value by name ("eta", "momentum", "nesterov", "beta1",
"beta2", "eps", "rho", "weight_decay" ... as the kind has them).]=],
  ["lunet.optim.Optimizer.set"] = [=[opt:set(name, value)
Sets eta or SGD's momentum between steps (a schedule), checked as when the
optimizer was made; momentum stays above 0 if it was made so, and 0 if not
(its state is kept or not from the start). The other hyperparameters are
fixed when it is made, and setting one is an error.]=],
  ["lunet.optim.Optimizer.kind"] = [=[opt:kind() -> string
"sgd", "adagrad", "rmsprop", "adam", "adamw" or "adamax".]=],
  ["lunet.optim.Optimizer.steps"] = [=[opt:steps() -> integer
The number of steps taken (Adam's t).]=],
  ["lunet.optim.Optimizer.state"] = [=[opt:state([name]) -> tensor or nil
A view of one state array, one value per parameter: the first without a
name, else by name ("velocity"; "sum_squares"; "mean_square"; "mean",
"mean_square"; "mean", "max_abs"); nil when there is none.]=],
  ["lunet.optim.Optimizer.velocity"] = [=[opt:velocity() -> tensor or nil
SGD's velocity (momentum's v), a view; nil for the other kinds or without momentum.]=],
}
