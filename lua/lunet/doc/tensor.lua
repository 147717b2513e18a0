-- Docstrings of the tensor class and its methods (lunet.Tensor, C), by
-- public name: "signature\ndescription". See lunet/doc.lua. `t` is a tensor.
local d = {
  ["lunet.Tensor"] = [=[lunet.Tensor
The methods of every tensor (t:reshape(...), t:sum() ...): a strided float32 or
float64 array over reference-counted storage; views share the storage and
never copy. Indexing: t[i] is row i (a view) or, for a vector, a number;
t[{i, j}] one element; t[i] = x and t[{i, j}] = x assign (a number fills, a
tensor is copied in). #t is the first size. The operators + - * / ^ and unary -
work element-wise with broadcasting. Lua code may add methods to this table.
lunet.is_tensor(x) tells a tensor.]=],
  ["lunet.Tensor.shape"] = [=[t:shape() -> {d1, d2, ...}
The sizes, a new table of integers ({} for a 0-dimensional tensor).]=],
  ["lunet.Tensor.size"] = [=[t:size([dim]) -> integer or {d1, ...}
The size of dimension `dim` (1-based); without it, the whole shape as t:shape().]=],
  ["lunet.Tensor.stride"] = [=[t:stride() -> {s1, s2, ...}
The strides, in elements (not bytes), one per dimension.]=],
  ["lunet.Tensor.dim"] = [=[t:dim() -> integer
The number of dimensions (0 to 8).]=],
  ["lunet.Tensor.numel"] = [=[t:numel() -> integer
The number of elements (the product of the sizes).]=],
  ["lunet.Tensor.dtype"] = [=[t:dtype() -> string
"float32" or "float64".]=],
  ["lunet.Tensor.is_contiguous"] = [=[t:is_contiguous() -> boolean
Whether the elements lie in row-major order without gaps (view works on such tensors).]=],
  ["lunet.Tensor.shares_storage"] = [=[t:shares_storage(u) -> boolean
Whether t and u are views of one storage (writing into one may change the other).]=],
  ["lunet.Tensor.view"] = [=[t:view(d1, d2, ...) -> tensor
The same elements under a new shape, sharing storage; t must be contiguous
(use reshape otherwise) and the element count must stay the same.]=],
  ["lunet.Tensor.reshape"] = [=[t:reshape(d1, d2, ...) -> tensor
The same elements under a new shape: a view when t is contiguous, else a copy.
Sizes one by one or as one table; the element count must stay the same.]=],
  ["lunet.Tensor.narrow"] = [=[t:narrow(dim, start, length) -> tensor
A view of `length` elements of dimension `dim` from index `start` (1-based).]=],
  ["lunet.Tensor.select"] = [=[t:select(dim, index) -> tensor
A view of slice `index` (1-based) of dimension `dim`, one dimension fewer
(t:select(1, i) is t[i]).]=],
  ["lunet.Tensor.t"] = [=[t:t() or t:transpose(dim1, dim2) -> tensor
A view with two dimensions swapped; t() (only for matrices) swaps 1 and 2.
t:transpose is the same function.]=],
  ["lunet.Tensor.permute"] = [=[t:permute(d1, d2, ...) -> tensor
A view with the dimensions reordered: result dimension i is t's dimension d_i
(a permutation of 1..t:dim()).]=],
  ["lunet.Tensor.expand"] = [=[t:expand(d1, d2, ...) -> tensor
A broadcast view (stride 0, no copy): sizes of 1 grow to the given sizes and
new leading dimensions may be added. Copying and in-place arithmetic into an
expanded view (several positions on one element) are errors; fill and zero_
set the shared elements.]=],
  ["lunet.Tensor.contiguous"] = [=[t:contiguous() -> tensor
t's elements in row-major order without gaps: a view of t when it is
already contiguous, else a contiguous copy.]=],
  ["lunet.Tensor.clone"] = [=[t:clone() -> tensor
A contiguous copy with storage of its own, same dtype.]=],
  ["lunet.Tensor.to"] = [=[t:to(dtype) -> tensor
A copy converted to dtype ("float32", "float64", "float", "double"), or t itself
when it already has that dtype.]=],
  ["lunet.Tensor.float"] = [=[t:float() -> tensor
t:to("float32").]=],
  ["lunet.Tensor.double"] = [=[t:double() -> tensor
t:to("float64").]=],
  ["lunet.Tensor.copy"] = [=[t:copy(src) -> t
Copies the elements of `src` (same number of elements, any shape and dtype)
into t in row-major order; returns t. Overlapping operands are handled.]=],
  ["lunet.Tensor.totable"] = [=[t:totable() -> table or number
Nested Lua tables of the elements (a number for a 0-dimensional tensor).]=],
  ["lunet.Tensor.flat"] = [=[t:flat(i) -> number
Element i (1-based) in row-major order, whatever the shape and strides.]=],
  ["lunet.Tensor.close"] = [=[t:close()
Frees t's reference to its storage now rather than at collection (also run by
a `local x <close>` variable); any later use of t is an error. Views keep the storage.]=],
  ["lunet.Tensor.is_closed"] = [=[t:is_closed() -> boolean
Whether t:close() has been called on this tensor.]=],
  ["lunet.Tensor.fill"] = [=[t:fill(value) -> t
Sets every element to `value` in place; returns t. t:fill_ is the same function.]=],
  ["lunet.Tensor.zero_"] = [=[t:zero_() -> t
Sets every element to 0 in place; returns t.]=],
  ["lunet.Tensor.sum"] = [=[t:sum([dim]) -> number or tensor
The sum of all elements (a number), or along dimension `dim` (a tensor with that dimension removed).]=],
  ["lunet.Tensor.mean"] = [=[t:mean([dim]) -> number or tensor
The mean of all elements, or along dimension `dim`.]=],
  ["lunet.Tensor.norm"] = [=[t:norm([p = 2 [, dim]]) -> number or tensor
The p-norm (sum of |x|^p)^(1/p): for p = 2 the Euclidean norm, for p = 1 the
sum of magnitudes; of all elements or along dimension `dim`. p must be
positive and finite.]=],
  ["lunet.Tensor.var"] = [=[t:var([dim [, ddof = 0]]) -> number or tensor
The variance (mean squared deviation, divided by n - ddof: ddof 0 is the
population variance, 1 the unbiased estimate), of all elements or along `dim`.]=],
  ["lunet.Tensor.std"] = [=[t:std([dim [, ddof = 0]]) -> number or tensor
The square root of t:var(dim, ddof).]=],
  ["lunet.Tensor.max"] = [=[t:max([dim]) -> value, index
The largest element and its 1-based row-major position; along dimension `dim`,
a tensor of maxima and a float64 tensor of their 1-based positions.]=],
  ["lunet.Tensor.min"] = [=[t:min([dim]) -> value, index
The smallest element and its 1-based position; along `dim`, tensors of minima and positions.]=],
  ["lunet.Tensor.argmax"] = [=[t:argmax([dim]) -> integer or tensor
The 1-based position of the largest element (row-major), or along `dim` a
float64 tensor of positions (t:argmax(2) - 1 gives 0-based class labels).]=],
  ["lunet.Tensor.argmin"] = [=[t:argmin([dim]) -> integer or tensor
The 1-based position of the smallest element, or along `dim` a float64 tensor of positions.]=],
  ["lunet.Tensor.all_finite"] = [=[t:all_finite() -> boolean
Whether no element is NaN or infinite.]=],
  ["lunet.Tensor.pow"] = [=[t:pow(x) -> tensor
Element-wise t ^ x for a number or a tensor x (broadcast); also the ^ operator.]=],
  ["lunet.Tensor.pow_"] = [=[t:pow_(x) -> t
t ^ x in place; returns t.]=],
  ["lunet.Tensor.clamp"] = [=[t:clamp([min [, max]]) -> tensor
Each element limited to [min, max] (either bound may be nil); min > max is an error.]=],
  ["lunet.Tensor.clamp_"] = [=[t:clamp_([min [, max]]) -> t
t:clamp in place; returns t.]=],
  ["lunet.Tensor.softmax"] = [=[t:softmax() -> tensor
The softmax along the last dimension (each row's e^x / sum e^x), a new tensor.]=],
  ["lunet.Tensor.log_softmax"] = [=[t:log_softmax() -> tensor
The logarithm of the softmax along the last dimension, computed without
overflow, a new tensor.]=],
  ["lunet.Tensor.Shape"] = [=[lunet.Tensor.Shape
The class of what t:shape() and t:size() return: a plain list of sizes
{d1, d2, ...} that prints as d1xd2 ("scalar" for a 0-d tensor).]=],
}

local binary = {
  add = "t + x", sub = "t - x", mul = "t * x (element-wise; matmul is the matrix product)", div = "t / x",
  maximum = "the larger of t and x", minimum = "the smaller of t and x",
  eq = "1 where t == x, else 0", ne = "1 where t ~= x, else 0", lt = "1 where t < x, else 0",
  le = "1 where t <= x, else 0", gt = "1 where t > x, else 0", ge = "1 where t >= x, else 0",
}
for name, what in pairs(binary) do
  d["lunet.Tensor." .. name] = ("t:%s(x) -> tensor\nElement-wise %s, for a number or a tensor x of the same dtype; "
    .. "the shapes broadcast (sizes of 1 stretch, missing leading dimensions are added)."):format(name, what)
  d["lunet.Tensor." .. name .. "_"] = ("t:%s_(x) -> t\nt:%s(x) in place: x broadcasts to t's shape; returns t.")
    :format(name, name)
end

local unary = {
  neg = "-t", exp = "e^t", log = "the natural logarithm", sqrt = "the square root", abs = "|t|",
  tanh = "tanh(t)", sigmoid = "1 / (1 + e^-t)", relu = "max(t, 0)", sign = "-1, 0 or 1 by the sign of t",
  sigmoid_prime = "s (1 - s) with s = sigmoid(t), the sigmoid's derivative",
  logit = "log(t / (1 - t)), the inverse of the sigmoid",
}
for name, what in pairs(unary) do
  d["lunet.Tensor." .. name] = ("t:%s() -> tensor\nElement-wise %s, a new tensor."):format(name, what)
  d["lunet.Tensor." .. name .. "_"] = ("t:%s_() -> t\nt:%s() in place; returns t."):format(name, name)
end

return d
