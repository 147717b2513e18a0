/*
** skinny_isa.h: the kernels of skinny.c for one instruction set, included
** once per set (no include guard) with these defined:
**   SK_NAME(x)  the function's name for this set      SK_TARGET  its target attribute
**   SK_V        the vector type, SK_W doubles         SK_ZERO(), SK_LOAD(p), SK_BCAST(x),
**   SK_FMA(a, b, c) = a b + c, SK_STOREU(p, v), SK_HSUM(v) (the sum of the lanes)
**   SK_TN_RJ    rows of C per backward tile (SK_TN_RV vectors of columns each)
**   SK_NTP_RI   (optional) rows per tile of the forward product over B^T, with
**               SK_NTP_KC columns of A a chunk, for m >= SK_NTP_MIN_M; it needs
**               SK_MASK(r), SK_MLOAD(mask, p) and SK_MSTORE(p, mask, v), and
**               SK_PACK_T(dst, ldd, src, lds, rows): dst[c ldd + i] = src[i lds + c]
**               for c, i < SK_W, zero for i >= rows
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

#ifdef SK_NTP_RI
/*
** The same product with B transposed into bt, SK_NTP_KC columns of A at a
** time: each row of C is then nv vectors of sums along j, an FMA of a
** broadcast A[i][p] with bt's row p, so nothing is summed across lanes.
** With 30 outputs the dot-product tiles above spent a tenth of their time
** on those sums and ran the two remaining columns 4 rows x 1 column at a
** time (5 loads for 4 FMAs); this kernel runs 6 rows x 4 vectors (24 sums,
** 10 loads for 24 FMAs). For n <= 4 SK_W and enough rows to pay for the
** transposition of B.
** Each tile prefetches the next tile's rows of the chunk, a cache line per
** 8 columns: the objective reads A (the data set, 6.3 MB for 1,000 images)
** from beyond L2 at every evaluation, and its rows of 1 KB a chunk, 6 KB
** apart, were fetched on demand: 108 us for 83 rows of 784 where A in L1
** took 60; with the prefetch, 60-65 (Zen 5, one thread).
**   bt: (kc, nv SK_W), zero past column n   c: rows of n (the last vector masked:
**   SK_MASK(r) is the first min(r, SK_W) lanes, SK_MLOAD/SK_MSTORE load and store them)
*/
static inline __attribute__((always_inline)) SK_TARGET void SK_NAME(ntp_tile)(int ri, int nv, int n, int kc,
                                                                              const double *a, int lda,
                                                                              const double *bt, int add, double *c,
                                                                              int ldc, const double *next,
                                                                              int rnext) {
  SK_V acc[SK_NTP_RI][4];   /* uniform code for every vector (masks, no branches): GCC keeps acc in registers */
  _Pragma("GCC unroll 8")
  for (int i = 0; i < ri; i++)
    _Pragma("GCC unroll 4")
    for (int v = 0; v < nv; v++) acc[i][v] = add ? SK_MLOAD(SK_MASK(n - v * SK_W), c + (size_t)i * ldc + v * SK_W)
                                                 : SK_ZERO();
  for (int p0 = 0; p0 < kc; p0 += 8) {   /* 8 doubles: a cache line of each row of the next tile */
    for (int i = 0; i < rnext; i++) _mm_prefetch((const char *)(next + (size_t)i * lda + p0), _MM_HINT_T0);
    int pe = p0 + 8 < kc ? p0 + 8 : kc;
    for (int p = p0; p < pe; p++) {
      SK_V bv[4];
      _Pragma("GCC unroll 4")
      for (int v = 0; v < nv; v++) bv[v] = SK_LOAD(bt + (size_t)p * nv * SK_W + v * SK_W);
      _Pragma("GCC unroll 8")
      for (int i = 0; i < ri; i++) {
        SK_V ai = SK_BCAST(a[(size_t)i * lda + p]);
        _Pragma("GCC unroll 4")
        for (int v = 0; v < nv; v++) acc[i][v] = SK_FMA(ai, bv[v], acc[i][v]);
      }
    }
  }
  _Pragma("GCC unroll 8")
  for (int i = 0; i < ri; i++)
    _Pragma("GCC unroll 4")
    for (int v = 0; v < nv; v++) SK_MSTORE(c + (size_t)i * ldc + v * SK_W, SK_MASK(n - v * SK_W), acc[i][v]);
}

/* all m rows, SK_NTP_RI at a time, for one chunk of kc columns of A */
static inline __attribute__((always_inline)) SK_TARGET void SK_NAME(ntp_rows)(int nv, int m, int n, int kc,
                                                                              const double *a, int lda,
                                                                              const double *bt, int add, double *c,
                                                                              int ldc) {
  int i = 0;
  for (; i + SK_NTP_RI <= m; i += SK_NTP_RI) {
    int rnext = m - i - SK_NTP_RI < SK_NTP_RI ? m - i - SK_NTP_RI : SK_NTP_RI;
    SK_NAME(ntp_tile)(SK_NTP_RI, nv, n, kc, a + (size_t)i * lda, lda, bt, add, c + (size_t)i * ldc, ldc,
                      a + (size_t)(i + SK_NTP_RI) * lda, rnext);
  }
  /* the last rows in one tile, as the backward product's: one row at a time
  ** loads bt's vectors for one FMA each (83 rows leave 5) */
  _Static_assert(SK_NTP_RI <= 6, "the cases below cover up to SK_NTP_RI - 1 rows");
  const double *ar = a + (size_t)i * lda;
  double *cr = c + (size_t)i * ldc;
  switch (m - i) {
    case 5: SK_NAME(ntp_tile)(5, nv, n, kc, ar, lda, bt, add, cr, ldc, a, 0); break;
    case 4: SK_NAME(ntp_tile)(4, nv, n, kc, ar, lda, bt, add, cr, ldc, a, 0); break;
    case 3: SK_NAME(ntp_tile)(3, nv, n, kc, ar, lda, bt, add, cr, ldc, a, 0); break;
    case 2: SK_NAME(ntp_tile)(2, nv, n, kc, ar, lda, bt, add, cr, ldc, a, 0); break;
    case 1: SK_NAME(ntp_tile)(1, nv, n, kc, ar, lda, bt, add, cr, ldc, a, 0); break;
    default: break;
  }
}

/* B^T for the tiles above: bt (k, nv SK_W) row-major, zero past column n,
** so that chunk p0's rows start at bt + p0 nv SK_W. */
static SK_TARGET void SK_NAME(pack)(int n, int k, const double *b, int ldb, double *bt) {
  int nv = (n + SK_W - 1) / SK_W;
  for (int jv = 0; jv < nv; jv++) {   /* SK_W rows of B (zero past n) into one vector of each row of bt */
    int rows = n - jv * SK_W < SK_W ? n - jv * SK_W : SK_W;
    const double *bj = b + (size_t)jv * SK_W * ldb;
    double *btj = bt + jv * SK_W;
    int p = 0;
    for (; p + SK_W <= k; p += SK_W) SK_PACK_T(btj + (size_t)p * nv * SK_W, nv * SK_W, bj + p, ldb, rows);
    for (; p < k; p++)
      for (int i = 0; i < SK_W; i++) btj[(size_t)p * nv * SK_W + i] = i < rows ? bj[(size_t)i * ldb + p] : 0.0;
  }
}

/* One chunk of kc columns of A against its rows of bt. */
static SK_TARGET void SK_NAME(ntp_chunk)(int nv, int m, int n, int kc, const double *a, int lda, const double *bt,
                                         int add, double *c, int ldc) {
  switch (nv) {
    case 1: SK_NAME(ntp_rows)(1, m, n, kc, a, lda, bt, add, c, ldc); break;
    case 2: SK_NAME(ntp_rows)(2, m, n, kc, a, lda, bt, add, c, ldc); break;
    case 3: SK_NAME(ntp_rows)(3, m, n, kc, a, lda, bt, add, c, ldc); break;
    default: SK_NAME(ntp_rows)(4, m, n, kc, a, lda, bt, add, c, ldc); break;
  }
}

/* B transposed a chunk at a time into the stack, in L1. */
static SK_TARGET void SK_NAME(ntp)(int m, int n, int k, const double *a, int lda, const double *b, int ldb, int beta,
                                   double *c, int ldc) {
  double bt[SK_NTP_KC * 4 * SK_W];   /* 32 KB: one chunk of B^T */
  int nv = (n + SK_W - 1) / SK_W;
  for (int p0 = 0; p0 < k; p0 += SK_NTP_KC) {
    int kc = k - p0 < SK_NTP_KC ? k - p0 : SK_NTP_KC;
    SK_NAME(pack)(n, kc, b + p0, ldb, bt);
    SK_NAME(ntp_chunk)(nv, m, n, kc, a + p0, lda, bt, beta || p0 > 0, c, ldc);
  }
}

/* B^T packed beforehand by SK_NAME(pack): the same sums as ntp. */
static SK_TARGET void SK_NAME(ntp_packed)(int m, int n, int k, const double *a, int lda, const double *bt, int beta,
                                          double *c, int ldc) {
  int nv = (n + SK_W - 1) / SK_W;
  for (int p0 = 0; p0 < k; p0 += SK_NTP_KC) {
    int kc = k - p0 < SK_NTP_KC ? k - p0 : SK_NTP_KC;
    SK_NAME(ntp_chunk)(nv, m, n, kc, a + p0, lda, bt + (size_t)p0 * nv * SK_W, beta || p0 > 0, c, ldc);
  }
}
#endif

/* Blocks of SK_NT_IB rows of A (in L2), within which each tile of B's rows
** (in L1) meets every row of the block before the next tile comes. */
static SK_TARGET void SK_NAME(nt)(int m, int n, int k, const double *a, int lda, const double *b, int ldb, int beta,
                                  double *c, int ldc) {
#ifdef SK_NTP_RI
  if (m >= SK_NTP_MIN_M && n <= 4 * SK_W) {
    SK_NAME(ntp)(m, n, k, a, lda, b, ldb, beta, c, ldc);
    return;
  }
#endif
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
  /* the last rows in one tile: a tile of one row loads B's vectors for one
  ** FMA each, and 30 outputs' last two rows that way took a quarter of the
  ** product (57 us for 83 x 784 x 30 against 43 in one tile) */
  switch (n - j) {
    case 3: SK_NAME(tn_tile)(3, rv, m, a + j, lda, b, ldb, c + (size_t)j * ldc, ldc); break;
    case 2: SK_NAME(tn_tile)(2, rv, m, a + j, lda, b, ldb, c + (size_t)j * ldc, ldc); break;
    case 1: SK_NAME(tn_tile)(1, rv, m, a + j, lda, b, ldb, c + (size_t)j * ldc, ldc); break;
    default: break;
  }
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
