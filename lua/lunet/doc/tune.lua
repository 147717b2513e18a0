-- Docstrings of the C-bound functions that lunet.tune, lunet.diagnose and
-- the tensor formulas of the book's chapters 3 and 5 added, by public name
-- ("signature\ndescription", as lunet/doc/core.lua).
return {
  ["lunet.Tensor.sigmoid_prime"] = "t:sigmoid_prime() -> tensor\n"
    .. "sigma'(t) = sigma(t) (1 - sigma(t)) element by element, a new tensor of t's shape and dtype "
    .. "(sigmoid_prime_ works in place).",
  ["lunet.Tensor.logit"] = "t:logit() -> tensor\n"
    .. "log(t / (1 - t)) element by element, the inverse of sigmoid (logit_ works in place); "
    .. "0 gives -inf, 1 gives inf, values outside [0, 1] NaN.",
  ["lunet.Tensor.softmax"] = "t:softmax() -> tensor\n"
    .. "exp(t) / sum(exp(t)) along the last dimension, shifted by each row's maximum so exp never "
    .. "overflows; a new contiguous tensor of t's shape and dtype.",
  ["lunet.Tensor.log_softmax"] = "t:log_softmax() -> tensor\n"
    .. "t - max - log(sum(exp(t - max))) along the last dimension: the logarithm of softmax, finite "
    .. "where log(softmax(t)) would underflow to -inf.",
}
