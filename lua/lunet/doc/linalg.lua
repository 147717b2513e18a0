-- Docstrings of lunet.linalg (LAPACK through OpenBLAS, C), by public name:
-- "signature\ndescription". See lunet/doc.lua. Each function is also a
-- tensor method (A:solve(b)); inputs must be square, finite matrices of
-- either dtype, and the work is done in float64.
return {
  ["lunet.linalg"] = [=[lunet.linalg
Dense linear algebra on square matrices (LAPACK inside OpenBLAS): solve,
cholesky, eigh, eigvalsh, inv, det, slogdet. Each is also a tensor method
(A:solve(b), A:eigh()). Errors ("linalg.solve: ...") name a singular pivot
or the order of the leading minor that is not positive definite; a result
that would overflow the dtype (NaN or Inf from a finite matrix singular to
working precision, or of huge values) is an error too.]=],
  ["lunet.linalg.solve"] = [=[lunet.linalg.solve(A, B) -> X
X with A X = B for a square A (n, n) and B a vector (n) or matrix (n, k) of
A's dtype; X has B's shape. A singular A is an error. Also A:solve(B).]=],
  ["lunet.linalg.cholesky"] = [=[lunet.linalg.cholesky(A) -> L
The lower triangular L with L L^T = A for a symmetric positive definite A
(only A's lower triangle is read); an error names the leading minor that is
not positive definite. Also A:cholesky().]=],
  ["lunet.linalg.eigh"] = [=[lunet.linalg.eigh(A) -> values, vectors
The eigenvalues of a symmetric A in ascending order (a vector) and the
eigenvectors as the columns of a matrix. Only A's lower triangle is read
(as LAPACK's dsyevd, and NumPy's eigh, do): a matrix that is not symmetric
is taken as its lower triangle mirrored, so symmetrise one made with
rounding, (A + A^T) / 2, when the triangles differ. Also A:eigh().]=],
  ["lunet.linalg.eigvalsh"] = [=[lunet.linalg.eigvalsh(A) -> values
The eigenvalues of a symmetric A in ascending order (only A's lower
triangle is read, as for eigh). Also A:eigvalsh().]=],
  ["lunet.linalg.inv"] = [=[lunet.linalg.inv(A) -> tensor
The inverse of a square, non-singular A. Also A:inv().]=],
  ["lunet.linalg.det"] = [=[lunet.linalg.det(A) -> number
The determinant of a square A (may overflow to inf; slogdet does not). Also A:det().]=],
  ["lunet.linalg.slogdet"] = [=[lunet.linalg.slogdet(A) -> sign, logabsdet
The sign (-1, 0 or 1) of det A and log |det A|, which does not overflow. Also A:slogdet().]=],
}
