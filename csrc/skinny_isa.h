/*
** skinny_isa.h: the kernels of skinny.c for one instruction set, included
** once per set (no include guard) with these defined:
**   SK_NAME(x)  the function's name for this set      SK_TARGET  its target attribute
**   SK_V        the vector type, SK_W doubles         SK_ZERO(), SK_LOAD(p), SK_BCAST(x),
**   SK_FMA(a, b, c) = a b + c, SK_STOREU(p, v), SK_HSUM(v) (the sum of the lanes)
**   SK_TN_RJ    rows of C per backward tile (SK_TN_RV vectors of columns each)
** The tiles take their sizes as arguments that are constants where they are
** inlined, so each size becomes its own fully unrolled loop in registers.
*/

/* C[i][j] (= or +=) sum_p A[i][p] B[j][p] for ri rows of A and rj of B:
** ri x rj accumulators of SK_W partial sums along p. */
static inline __attribute__((always_inline)) SK_TARGET void SK_NAME(nt_tile)(int ri, int rj, int k, const double *a,
                                                                             int lda, const double *b, int ldb,
                                                                             int beta, double *c, int ldc) {
  SK_V acc[SK_NT_RI][4];
  _Pragma("GCC unroll 4")
  for (int i = 0; i < ri; i++)
    _Pragma("GCC unroll 4")
    for (int j = 0; j < rj; j++) acc[i][j] = SK_ZERO();
  int p = 0;
  for (; p + SK_W <= k; p += SK_W) {
    SK_V av[SK_NT_RI], bv[4];
    _Pragma("GCC unroll 4")
    for (int i = 0; i < ri; i++) av[i] = SK_LOAD(a + (size_t)i * lda + p);
    _Pragma("GCC unroll 4")
    for (int j = 0; j < rj; j++) bv[j] = SK_LOAD(b + (size_t)j * ldb + p);
    _Pragma("GCC unroll 4")
    for (int i = 0; i < ri; i++)
      _Pragma("GCC unroll 4")
      for (int j = 0; j < rj; j++) acc[i][j] = SK_FMA(av[i], bv[j], acc[i][j]);
  }
  _Pragma("GCC unroll 4")
  for (int i = 0; i < ri; i++)
    _Pragma("GCC unroll 4")
    for (int j = 0; j < rj; j++) {
      double s = SK_HSUM(acc[i][j]);
      for (int q = p; q < k; q++) s += a[(size_t)i * lda + q] * b[(size_t)j * ldb + q];
      double *cij = c + (size_t)i * ldc + j;
      *cij = beta ? *cij + s : s;
    }
}

/* rj columns of C over m rows: tiles of SK_NT_RI rows, then the rest. */
static inline __attribute__((always_inline)) SK_TARGET void SK_NAME(nt_cols)(int rj, int m, int k, const double *a,
                                                                             int lda, const double *b, int ldb,
                                                                             int beta, double *c, int ldc) {
  int i = 0;
  for (; i + SK_NT_RI <= m; i += SK_NT_RI)
    SK_NAME(nt_tile)(SK_NT_RI, rj, k, a + (size_t)i * lda, lda, b, ldb, beta, c + (size_t)i * ldc, ldc);
  for (; i < m; i++) SK_NAME(nt_tile)(1, rj, k, a + (size_t)i * lda, lda, b, ldb, beta, c + (size_t)i * ldc, ldc);
}

/* Blocks of SK_NT_IB rows of A (in L2), within which each tile of B's rows
** (in L1) meets every row of the block before the next tile comes. */
static SK_TARGET void SK_NAME(nt)(int m, int n, int k, const double *a, int lda, const double *b, int ldb, int beta,
                                  double *c, int ldc) {
  for (int i0 = 0; i0 < m; i0 += SK_NT_IB) {
    int mb = m - i0 < SK_NT_IB ? m - i0 : SK_NT_IB;
    const double *ab = a + (size_t)i0 * lda;
    double *cb = c + (size_t)i0 * ldc;
    int j = 0;
    for (; j + 4 <= n; j += 4) SK_NAME(nt_cols)(4, mb, k, ab, lda, b + (size_t)j * ldb, ldb, beta, cb + j, ldc);
    for (; j < n; j++) SK_NAME(nt_cols)(1, mb, k, ab, lda, b + (size_t)j * ldb, ldb, beta, cb + j, ldc);
  }
}

/* C[j][col..] += sum_i A[i][j] B[i][col..] for rj rows of C (columns of A)
** and rv vectors of columns: B's rows are read once per tile, A's values
** broadcast. */
static inline __attribute__((always_inline)) SK_TARGET void SK_NAME(tn_tile)(int rj, int rv, int m, const double *a,
                                                                             int lda, const double *b, int ldb,
                                                                             double *c, int ldc) {
  SK_V acc[SK_TN_RJ][SK_TN_RV];
  _Pragma("GCC unroll 4")
  for (int j = 0; j < rj; j++)
    _Pragma("GCC unroll 4")
    for (int v = 0; v < rv; v++) acc[j][v] = SK_ZERO();
  for (int i = 0; i < m; i++) {
    SK_V bv[SK_TN_RV];
    const double *bi = b + (size_t)i * ldb, *ai = a + (size_t)i * lda;
    _Pragma("GCC unroll 4")
    for (int v = 0; v < rv; v++) bv[v] = SK_LOAD(bi + v * SK_W);
    _Pragma("GCC unroll 4")
    for (int j = 0; j < rj; j++) {
      SK_V aj = SK_BCAST(ai[j]);
      _Pragma("GCC unroll 4")
      for (int v = 0; v < rv; v++) acc[j][v] = SK_FMA(aj, bv[v], acc[j][v]);
    }
  }
  _Pragma("GCC unroll 4")
  for (int j = 0; j < rj; j++)
    _Pragma("GCC unroll 4")
    for (int v = 0; v < rv; v++) {
      double *cj = c + (size_t)j * ldc + v * SK_W;
      SK_STOREU(cj, SK_LOAD(cj) + acc[j][v]);
    }
}

/* All n rows of C over rv vectors of columns: tiles of SK_TN_RJ rows, then the rest. */
static inline __attribute__((always_inline)) SK_TARGET void SK_NAME(tn_cols)(int rv, int m, int n, const double *a,
                                                                             int lda, const double *b, int ldb,
                                                                             double *c, int ldc) {
  int j = 0;
  for (; j + SK_TN_RJ <= n; j += SK_TN_RJ) SK_NAME(tn_tile)(SK_TN_RJ, rv, m, a + j, lda, b, ldb, c + (size_t)j * ldc, ldc);
  for (; j < n; j++) SK_NAME(tn_tile)(1, rv, m, a + j, lda, b, ldb, c + (size_t)j * ldc, ldc);
}

static SK_TARGET void SK_NAME(tn)(int m, int n, int k, const double *a, int lda, const double *b, int ldb, double *c,
                                  int ldc) {
  int col = 0;
  for (; col + SK_TN_RV * SK_W <= k; col += SK_TN_RV * SK_W)
    SK_NAME(tn_cols)(SK_TN_RV, m, n, a, lda, b + col, ldb, c + col, ldc);
  for (; col + SK_W <= k; col += SK_W) SK_NAME(tn_cols)(1, m, n, a, lda, b + col, ldb, c + col, ldc);
  for (; col < k; col++)            /* the last columns, fewer than a vector */
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int i = 0; i < m; i++) s += a[(size_t)i * lda + j] * b[(size_t)i * ldb + col];
      c[(size_t)j * ldc + col] += s;
    }
}
