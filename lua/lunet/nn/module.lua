-- lunet.nn.module: what every layer and every network can do.
--
-- A Module is a list of layers over one C network (lunet.core's Net): one
-- block of parameters, one of gradients. A layer on its own is a Module of
-- one layer; put into a Sequential it moves into the Sequential's network
-- (its parameter values go with it) and from then on reads and writes
-- there. Take parameter views (layer.weight) after building the network:
-- a view taken before keeps showing the old block.
--
-- The network is built as soon as the input shape is known: from the first
-- layer (Linear knows its inputs), from opts.input, or at the first forward
-- or training call.

local core = require "lunet.core"
local errors = require "lunet.errors"

local Module = {}
Module.__index = Module

local PARAM_FIELDS = {
  weight = { "weight", "value" }, bias = { "bias", "value" },
  grad_weight = { "weight", "grad" }, grad_bias = { "bias", "grad" },
  gamma = { "gamma", "value" }, beta = { "beta", "value" },
  grad_gamma = { "gamma", "grad" }, grad_beta = { "beta", "grad" },
  running_mean = { "running_mean", "state" }, running_var = { "running_var", "state" },
}

-- Layers index their parameters by name (layer.weight, layer.grad_bias ...).
local function layer_index(self, key)
  local method = rawget(getmetatable(self), "_class")[key]
  if method ~= nil then return method end
  local field = PARAM_FIELDS[key]
  if field then
    local home = rawget(self, "_home")
    if not home._net then home:build() end
    return home._net:param(rawget(self, "_pos"), field[1], field[2])
  end
end

--- Module.layer_class(name [, methods]) -> metatable
-- For writers of layers: the metatable of a new kind of single layer named
-- `name`, whose instances have the methods of Module and `methods` and read
-- their parameters by name (layer.weight, layer.grad_bias, layer.gamma ...).
function Module.layer_class(name, methods)
  methods = methods or {}
  methods.__name = name
  setmetatable(methods, { __index = Module })
  local mt = { _class = methods, __index = layer_index, __tostring = Module.__tostring, __name = name }
  return mt
end

--- Module.new_layer(mt, spec [, input]) -> layer
-- For writers of layers: a new single layer of class `mt` (from
-- Module.layer_class), built by lunet.core from `spec`; `input` is the
-- per-sample input shape when the layer knows it (Linear: {n_in}).
function Module.new_layer(mt, spec, input)
  local self = setmetatable({ spec = spec, _input = input }, mt)
  self._layers = { self }
  self._home, self._pos = self, 1
  return self
end

--- Module.new_container(class, layers, opts) -> module
-- For writers of containers: a module of class `class` over the list of
-- layers, with opts.input (per-sample shape), opts.cost and opts.dtype.
function Module.new_container(class, layers, opts)
  local self = setmetatable({ _layers = layers, _input = opts.input, _cost = opts.cost,
    _dtype = opts.dtype or "float32", _train = false }, class)
  return self
end

--- model:input_shape() -> {d1, ...} or nil
-- The per-sample input shape: declared (opts.input), known from the first
-- layer (Linear), or learnt from the first forward; nil while unknown.
function Module:input_shape()
  errors.method(self, "model:input_shape")
  return self._input or (self._layers[1] and self._layers[1]._input)
end

local function shape_numel(shape)
  local n = 1
  for _, d in ipairs(shape) do n = n * d end
  return n
end

-- Copies parameter values and state of layer `from` of one C network into
-- layer `to` of another (same kind of layer).
local function copy_layer(src, from, dst, to)
  for _, name in ipairs(dst:layer(to).params) do dst:param(to, name):copy(src:param(from, name)) end
  for _, name in ipairs(dst:layer(to).state) do
    dst:param(to, name, "state"):copy(src:param(from, name, "state"))
  end
end

--- model:build([input]) -> model
-- Builds the C network for the per-sample input shape `input` (or the known
-- one) if it is not built yet, carrying over the parameter values of layers
-- that lived in another network. Called by forward and training; an error
-- when no input shape is known. A lone convolution does not know its image
-- size: it is built for the smallest images that fit (its parameters do not
-- depend on the size) and rebuilt at the first forward with other images.
function Module:build(input)
  errors.method(self, "model:build")
  if self._net then return self end
  local provisional = false
  input = input or self:input_shape()
  if not input and #self._layers == 1 and self._layers[1]._shape_hint then
    input, provisional = self._layers[1]._shape_hint, true
  end
  local fname = getmetatable(self).__name or "nn.Module"
  if not input then
    errors.fail(fname, "the input shape is not known yet: give it (opts.input) or call forward/train first")
  end
  local specs = {}
  for i, layer in ipairs(self._layers) do specs[i] = layer.spec end
  local net = errors.call(fname, "net_new", core.net_new, specs,
    { input = input, dtype = self._dtype, cost = self._cost })
  for i, layer in ipairs(self._layers) do
    if layer._home ~= self and layer._home._net then copy_layer(layer._home._net, layer._pos, net, i) end
    layer._home, layer._pos = self, i
  end
  self._net, self._input, self._provisional = net, input, provisional
  return self
end

local function same_shape(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do
    if a[i] ~= b[i] then return false end
  end
  return true
end

local function check_tensor(x)
  if not core.is_tensor(x) then
    errors.raise(("expected a tensor of inputs, got %s"):format(type(x)))
  end
end

--- model:net([x]) -> net
-- The C network (lunet.core's Net userdata: one block of parameters, one of
-- gradients), built first from the shape of the batch `x` when needed.
function Module:net(x)
  errors.method(self, "model:net")
  if x ~= nil then check_tensor(x) end
  if self._provisional and x and x:dim() > 1 and not same_shape({ table.unpack(x:shape(), 2) }, self._input) then
    local old = self._net
    self._net, self._provisional = nil, false
    self:build({ table.unpack(x:shape(), 2) })
    for i = 1, #self._layers do copy_layer(old, i, self._net, i) end
  end
  if not self._net then
    local input = self:input_shape()
    if not input and x then
      local shape = x:shape()
      input = { table.unpack(shape, 2) }
    end
    self:build(input)
  end
  return self._net
end

-- Is x one sample (the input shape itself, or a flat vector of its size)
-- rather than a batch (samples, ...)?
local function is_single(x, input)
  if x:dim() == 1 then return x:numel() == shape_numel(input) end
  if x:dim() ~= #input then return false end
  for i, d in ipairs(input) do
    if x:size(i) ~= d then return false end
  end
  return true
end

-- "Network:forward": the name errors of a method give (lunet.errors).
local function method_name(self, what)
  return (getmetatable(self).__name or "model") .. ":" .. what
end

-- Inputs as a batch; a single sample becomes a batch of one.
local function as_batch(self, x)
  local net = self:net(x)
  if is_single(x, net:info().input) then return x:reshape(1, x:numel()), true end
  return x, false
end

--- model:forward(x) -> tensor
-- The outputs for a batch x (samples, ...) or for one sample (the input shape
-- itself, or a flat vector of its size, giving a flat output), in the mode
-- set by model:training() / model:evaluate() (evaluation by default). Builds
-- the network at the first call from x's shape. Keeps what backward needs.
function Module:forward(x)
  errors.method(self, "model:forward")
  local batch, single = as_batch(self, x)
  local y = errors.call(method_name(self, "forward"), "forward", self._net.forward, self._net, batch, self._train)
  if single then y = y:view(y:numel()) end
  self._last_single = single
  return y
end

--- model:backward(x, dy) -> dx
-- dy: the gradient of some loss with respect to the output of the last
-- forward(x). Adds to the parameters' gradients and returns the
-- gradient with respect to x.
function Module:backward(x, dy)
  errors.method(self, "model:backward")
  if not self._net then errors.fail(method_name(self, "backward"), "needs a forward first") end
  local dx = errors.call(method_name(self, "backward"), "backward", self._net.backward, self._net, dy)
  if self._last_single then dx = dx:view(x:shape()) end
  return dx
end

--- model:zero_grad() -> model
-- Sets every parameter gradient to zero.
function Module:zero_grad()
  errors.method(self, "model:zero_grad")
  self:net():zero_grad()
  return self
end

-- Outputs in evaluation mode; errors are named fname (the method the user called).
local function outputs(self, x, fname)
  if not core.is_tensor(x) then
    errors.fail(fname, "expected a tensor of inputs, got %s", type(x))
  end
  local batch, single = as_batch(self, x)
  local y = errors.call(fname, "predict", self._net.predict, self._net, batch)
  return single and y:view(y:numel()) or y
end

local function labels(self, x, fname)
  local y = outputs(self, x, fname)
  if y:dim() == 1 then return y:argmax() - 1 end
  return y:argmax(2) - 1
end

--- model:output(x) -> tensor
-- The outputs (samples, n_out) for a batch x, or (n_out) for one sample,
-- in evaluation mode (no dropout), computed in chunks in C.
function Module:output(x)
  errors.method(self, "model:output")
  return (outputs(self, x, method_name(self, "output")))
end

--- model:predict(x) -> tensor or number
-- The predicted labels: for a batch x, a 1-d tensor of the class indices
-- (0-based, like the digits they name) of the largest outputs; for one
-- sample, that index as a number. Compare them with a data set's labels
-- directly (`model:predict(test.x):eq(test.y)`; mixed dtypes are fine).
function Module:predict(x)
  errors.method(self, "model:predict")
  return (labels(self, x, method_name(self, "predict")))
end

--- model:classify(x) -> tensor or number
-- The same as model:predict(x).
function Module:classify(x)
  errors.method(self, "model:classify")
  return (labels(self, x, method_name(self, "classify")))
end

-- Labels of a data set as 0-based class indices: y itself, or the
-- positions of the largest targets when y holds one row per sample.
local function true_labels(y)
  if y:dim() == 2 then return y:argmax(2) - 1 end
  return y
end

local function check_data(fname, data)
  if type(data) ~= "table" or data.x == nil or data.y == nil then
    errors.fail(fname, "expected a data set {x = inputs, y = labels}, got %s", type(data))
  end
end

-- Mean cost (with the penalty for lambda > 0) and accuracy, named fname.
local function score(self, fname, data, opts)
  opts = require("lunet.opts").check(fname, opts, { "lambda", "reg" })
  check_data(fname, data)
  if not self:cost() then errors.fail(fname, "the model has no cost: give one (opts.cost or model:set_cost(name))") end
  local lambda = opts.lambda or 0
  if type(lambda) ~= "number" or not (lambda >= 0 and lambda < math.huge) then
    errors.fail(fname, "lambda must be a finite number >= 0, got %s", require("lunet.opts").shown(lambda))
  end
  if opts.reg ~= nil and opts.reg ~= "l2" and opts.reg ~= "l1" then
    errors.fail(fname, "reg must be \"l2\" or \"l1\", got %s", require("lunet.opts").shown(opts.reg))
  end
  if not core.is_tensor(data.x) then
    errors.fail(fname, "data.x must be a tensor of inputs, got %s", type(data.x))
  end
  local net = errors.call(fname, nil, self.net, self, data.x)
  local cost, correct = errors.call(fname, "evaluate", core.evaluate, net, data,
    { reg = lambda > 0 and (opts.reg or "l2") or "none", lambda = lambda })
  return cost, correct / (data.n or data.x:size(1))
end

--- model:accuracy(data) -> number
-- Fraction (0..1) of the samples of data = {x =, y =} whose predicted
-- label equals the true label (y as labels, or one-hot targets).
function Module:accuracy(data)
  errors.method(self, "model:accuracy")
  local fname = method_name(self, "accuracy")
  check_data(fname, data)
  if self:cost() then
    -- the count alone: evaluation without the cost is about a third faster
    if not core.is_tensor(data.x) then
      errors.fail(fname, "data.x must be a tensor of inputs, got %s", type(data.x))
    end
    local net = errors.call(fname, nil, self.net, self, data.x)
    local _, correct = errors.call(fname, "evaluate", core.evaluate, net, data, { cost = false })
    return correct / (data.n or data.x:size(1))
  end
  local predicted = labels(self, data.x, fname)
  local right = errors.call(fname, "eq", function() return predicted:eq(true_labels(data.y)):sum() end)
  return right / data.x:size(1)
end

--- model:evaluate(data [, {lambda =, reg =}]) -> cost, accuracy
-- The mean cost over data = {x =, y =} (plus the regularisation penalty
-- when lambda > 0: reg = "l2" (default) or "l1", as in training) and the
-- accuracy as a fraction (0..1), in evaluation mode. Called without
-- arguments it switches the model to evaluation mode (Torch's
-- model:evaluate()) and returns the model.
function Module:evaluate(data, opts)
  errors.method(self, "model:evaluate")
  if data == nil and opts == nil then
    self._train = false
    return self
  end
  return score(self, method_name(self, "evaluate"), data, opts)
end

--- model:training() -> model
-- Switches to training mode (dropout active in forward).
function Module:training()
  errors.method(self, "model:training")
  self._train = true
  return self
end

local COSTS = { cross_entropy = true, quadratic = true, log_likelihood = true }

--- model:set_cost(name) -> model
-- Sets the cost that training and evaluation use: "cross_entropy",
-- "quadratic" or "log_likelihood" (after a Softmax).
function Module:set_cost(name)
  errors.method(self, "model:set_cost")
  -- checked before anything changes: a refused name must not stay behind as the model's cost
  if not COSTS[name] then
    errors.fail(method_name(self, "set_cost"), "unknown cost '%s' (cross_entropy, quadratic, log_likelihood)",
      tostring(name))
  end
  -- the core's refusal (cross_entropy after a Softmax) comes first too
  if self._net then errors.call(method_name(self, "set_cost"), "set_cost", self._net.set_cost, self._net, name) end
  self._cost = name
  return self
end

--- model:cost() -> string or nil
-- The cost's name, or nil when none was set.
function Module:cost()
  errors.method(self, "model:cost")
  return self._cost
end

--- model:parameters() -> {{layer =, name =, value =, grad =}...}
-- One entry per parameter tensor of each layer, in order: the layer's
-- position, the parameter's name ("weight", "bias", "gamma", "beta") and
-- views of its values and its gradient.
function Module:parameters()
  errors.method(self, "model:parameters")
  local net, out = self:net(), {}
  for i = 1, net:info().nlayers do
    for _, name in ipairs(net:layer(i).params) do
      out[#out + 1] = { layer = i, name = name, value = net:param(i, name), grad = net:param(i, name, "grad") }
    end
  end
  return out
end

--- model:flat_parameters() -> params, grads
-- Every parameter, and every gradient, as one flat 1-d view each (of the
-- network's contiguous blocks): writing into them changes the model.
function Module:flat_parameters()
  errors.method(self, "model:flat_parameters")
  local net = self:net()
  return net:parameters(), net:gradients()
end

--- model:layers() -> {layer...}
-- The model's layers in order (the table itself: do not modify it).
function Module:layers()
  errors.method(self, "model:layers")
  return self._layers
end

--- model:dtype() -> string
-- "float32" (default) or "float64".
function Module:dtype()
  errors.method(self, "model:dtype")
  return self._dtype or "float32"
end

--- model:save(path) -> model
-- Writes the model (layers, parameters, batch-norm state, cost) to `path` in
-- lunet's own format (versioned, checksummed, written atomically); lunet.load
-- reads it back.
function Module:save(path)
  errors.method(self, "model:save")
  local net = self:net()
  errors.call(method_name(self, "save"), "save", net.save, net, path)
  return self
end

--- model:info() -> table
-- Facts about the built network: input and output shapes, nlayers, nparams,
-- dtype and cost.
function Module:info()
  errors.method(self, "model:info")
  return self:net():info()
end

function Module:__tostring()
  local lines = { (getmetatable(self).__name or "Module") }
  -- printing never raises: a closed network (model:net():close()) says so
  local ok, info = pcall(function() return self._net and self._net:info() end)
  if not ok then
    lines[1] = lines[1] .. "(network closed)"
  elseif info then
    lines[1] = lines[1] .. ("(%s -> %s, %d parameters%s)"):format(table.concat(info.input, "x"),
      table.concat(info.output, "x"), info.nparams, info.cost and ", " .. info.cost .. " cost" or "")
  elseif self._layers[1] == self then
    lines[1] = self:describe()   -- a layer not built yet: Linear(784 -> 30), Dropout(0.5), not its bare class name
  end
  if #self._layers > 1 or self._layers[1] ~= self then
    for i, layer in ipairs(self._layers) do
      lines[#lines + 1] = ("  (%d) %s"):format(i, layer:describe())
    end
  end
  return table.concat(lines, "\n")
end

--- layer:describe() -> string
-- A one-line description of the layer, e.g. "Linear(784 -> 30)", as printed
-- in a model's listing.
function Module:describe()
  return getmetatable(self).__name or "layer"
end

return Module
