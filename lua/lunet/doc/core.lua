-- Docstrings of lunet's top-level C functions (tensor creation, products,
-- the random generator, threads, .npy files), by public name:
-- "signature\ndescription". See lunet/doc.lua.
return {
  ["lunet.zeros"] = [=[lunet.zeros(d1, d2, ... [, dtype]) -> tensor
A new tensor of the given sizes filled with zeros. Sizes are non-negative
integers, given one by one or as one table ({2, 3}); the last argument may be
a dtype name ("float32", the default, "float64", "float", "double") or an
option table {dtype =}.]=],
  ["lunet.ones"] = [=[lunet.ones(d1, d2, ... [, dtype]) -> tensor
A new tensor of the given sizes filled with ones; sizes and dtype as lunet.zeros.]=],
  ["lunet.full"] = [=[lunet.full(value, d1, d2, ... [, dtype]) -> tensor
A new tensor of the given sizes with every element `value`; sizes and dtype as lunet.zeros.]=],
  ["lunet.rand"] = [=[lunet.rand(d1, d2, ... [, {min =, max =, dtype =}]) -> tensor
Uniform random numbers in [min, max) (default [0, 1)) from the global generator
(lunet.seed). min and max may also be given by position: rand(3, 4, {-1, 1}).]=],
  ["lunet.randn"] = [=[lunet.randn(d1, d2, ... [, {mean =, std =, dtype =}]) -> tensor
Normal random numbers N(mean, std^2) (default N(0, 1)) from the global
generator (lunet.seed); mean and std may also be given by position: randn(3, {0, 0.1}).]=],
  ["lunet.arange"] = [=[lunet.arange([start,] stop [, step] [, dtype]) -> tensor
The vector start, start + step, ... up to but excluding stop (as numpy);
start 0 and step 1 by default. Errors when a bound is not finite or step is 0.]=],
  ["lunet.linspace"] = [=[lunet.linspace(a, b, n [, dtype]) -> tensor
`n` evenly spaced numbers from a to b, both included (n = 1 gives {a}).]=],
  ["lunet.tensor"] = [=[lunet.tensor(values [, dtype]) -> tensor
A new tensor from nested tables of numbers ({{1, 2}, {3, 4}} is 2x2) or a copy
of a tensor (converted when a dtype is given). Ragged tables and non-numbers are errors.]=],
  ["lunet.seed"] = [=[lunet.seed(n)
Seeds the global random generator (integer `n`) that rand, randn, weight
initialisation, shuffling and dropout draw from: the same seed gives the same numbers.]=],
  ["lunet.threads"] = [=[lunet.threads([n]) -> integer
The number of lunet's worker threads; with `n` (1..16) sets it first. The
default is the LUNET_THREADS environment variable (a whole number, read as
1 below 1 and as 16 above it; a value that is not a whole number is
ignored), else one per core. A seed
gives the same numbers again on the same number of threads. Each thread
has OpenBLAS's work buffer (about 128 MB of address space) mapped when it
starts: when the memory is not there, `n` is an error that leaves the
count as it was, and the default falls back to one thread.]=],
  ["lunet.matmul"] = [=[lunet.matmul(a, b) -> tensor or number
The matrix product of two 1- or 2-dimensional tensors of one dtype, through
BLAS: (m, k) x (k, n) -> (m, n), (m, k) x (k) -> (m), (k) x (k, n) -> (n),
(k) x (k) -> a number. Also the method a:matmul(b).]=],
  ["lunet.mv"] = [=[lunet.mv(A, x) -> tensor
The product of a matrix (m, n) and a vector (n): a vector (m). Also A:mv(x).]=],
  ["lunet.dot"] = [=[lunet.dot(x, y) -> number
The dot product of two vectors of the same length and dtype. Also x:dot(y).]=],
  ["lunet.outer"] = [=[lunet.outer(x, y) -> tensor
The outer product of vectors x (m) and y (n): the (m, n) matrix x_i y_j.]=],
  ["lunet.gemm"] = [=[lunet.gemm(A, B, C [, {alpha = 1, beta = 0, transA = false, transB = false}]) -> C
BLAS's C <- alpha op(A) op(B) + beta C in place, op transposing when asked;
returns C. A, B and C are matrices of one dtype; an A or B that overlaps C
is read from a copy, and C may not be an expanded view.]=],
  ["lunet.one_hot"] = [=[lunet.one_hot(labels, classes [, dtype]) -> tensor
The (n, classes) matrix with a 1 in each row at the column of its 0-based
label (labels: a vector of n integers in 0..classes-1), zeros elsewhere;
the labels' dtype unless one is given.]=],
  ["lunet.load_npy"] = [=[lunet.load_npy(path) -> tensor
Reads a NumPy .npy file: float32 and float64 arrays keep their dtype; integer
arrays become float32 (8 and 16 bits) or float64 (32 and 64 bits). Fortran order
is read too. Errors name the file and what is wrong with it.]=],
  ["lunet.save_npy"] = [=[lunet.save_npy(path, t)
Writes tensor `t` as a NumPy .npy file (little-endian float32 or float64, C
order), atomically: a failed save leaves any old file intact.]=],
}
