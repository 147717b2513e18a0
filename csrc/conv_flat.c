/*
** conv_flat.c: the AVX-512 convolution of conv_flat.h.
**
** Why: conv_direct.c keeps one output row in AVX2 registers, which needs
** rows of a whole number of vectors; with 16 floats a vector the chapter-6
** second layer's rows of 8 would fill half of each. Here every input map is
** first copied k_w times, shifted left by kx and cut to w_out columns (the
** "shifted rows", xs: (c_in, k_w, h_in + 2 pad, w_out), 38 KB an image in that
** layer, against 128 KB of im2col columns). An output position q = oy w_out
** + ox then reads input q + ky w_out of the (ci, kx) copy: output maps and
** shifted rows are flat arrays that 16-float vectors walk straight through,
** across row ends, and only the last vector of a map needs a mask.
**
**   forward  y[co, q]   = b[co] + sum over ci, ky, kx of w[co, ci, ky, kx] xs[ci, kx, q + ky w_out]
**   weights  dw[co, ci, ky, kx] = sum over images and q of dy[co, q] xs[ci, kx, q + ky w_out]
**   input    dxs[ci, kx, q + ky w_out] += sum over co of w[co, ci, ky, kx] dy[co, q]
**            dx[ci, y, x] = sum over kx of dxs[ci, kx, y w_out + x - kx]
**
** The forward pass leaves each image's shifted rows in the layer's im2col
** space, where the weight gradient reads them again. The input gradient
** scatters tap by tap (no multiply by the zeros a padded dy would add: a
** third more work in that layer) into dxs and folds the k_w copies back.
** Each kernel keeps a tile of 16 to 20 vector sums in registers (2 FMAs per
** load or better). Plain loops in real/conv.inc are the references the
** specs compare these with. Compiled for AVX-512F by target attributes (the
** build has no -march flag) and used only when the CPU has it.
*/
#include <immintrin.h>

#include "conv_flat.h"

#define AVX512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline))

/* images of at most this many bytes of shifted rows (they are read once
** per block of output maps: kept within the core's L2) */
#define FLAT_MAX_BYTES (512 * 1024)

/* register tiles: forward and input gradient FWD_CB maps x FWD_QB vectors,
** weight gradient WGT_CB maps x WGT_KW taps of one kernel row */
#define FWD_CB 5
#define FWD_QB 4
#define WGT_CB 3
#define WGT_KW 5

/* rows of a shifted copy: the padded image's */
static int64_t rows_of(const ln_convgeom *g) {
  return (int64_t)g->h_in + 2 * g->pad;
}

int64_t ln_conv_flat_rows(const ln_convgeom *g) {
  return (int64_t)g->c_in * g->k_w * rows_of(g) * g->w_out;
}

int ln_conv_flat_ok(const ln_convgeom *g) {
  return g->stride == 1 && ln_conv_flat_rows(g) * (int64_t)sizeof(float) <= FLAT_MAX_BYTES &&
         __builtin_cpu_supports("avx512f");
}

/* the first n lanes (all 16 from n = 16 on) */
INLINE __mmask16 lanes(int64_t n) {
  return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

/* lanes lo <= L < hi (either may lie outside 0..16) */
INLINE __mmask16 lane_range(int64_t lo, int64_t hi) {
  if (lo < 0) lo = 0;
  if (hi <= lo) return 0;
  return (__mmask16)(lanes(hi) & ~lanes(lo));
}

/* xs[ci, kx, y, ox] = x[ci, y, ox + kx] for one image (x padded with
** zeros): output rows of up to 16 are one masked load and store per copy,
** with the loop over kx innermost (the same input row; a loop over a row of
** 8 with the mask and the addresses worked out each time took a fifth of
** the layer's forward). With padding a row's inputs start pad - kx lanes
** in: an expanding load puts them there without forming an address before
** the row. */
static AVX512 void shift_rows(const ln_convgeom *g, const float *x, float *xs) {
  const int w_out = g->w_out, k_w = g->k_w, h_in = g->h_in, w_in = g->w_in, pad = g->pad;
  const int64_t plane = rows_of(g) * w_out;
  for (int ci = 0; ci < g->c_in; ci++)
    for (int y = 0; y < rows_of(g); y++) {
      int inside = y >= pad && y < pad + h_in;
      const float *src = inside ? x + ((int64_t)ci * h_in + (y - pad)) * w_in : NULL;
      float *dst = xs + (int64_t)ci * k_w * plane + (int64_t)y * w_out;
      for (int o = 0; o < w_out; o += 16) {
        __mmask16 m = lanes(w_out - o);
        for (int kx = 0; kx < k_w; kx++) {
          __m512 v;
          if (!inside) {
            v = _mm512_setzero_ps();
          } else if (pad == 0) {
            v = _mm512_maskz_loadu_ps(m, src + kx + o);
          } else {   /* lane L reads column o + L + kx - pad, if in the row */
            int first = o + kx - pad;
            __mmask16 in = lane_range(-first, w_in - first) & m;
            v = _mm512_maskz_expandloadu_ps(in, src + (first > 0 ? first : 0));
          }
          _mm512_mask_storeu_ps(dst + kx * plane + o, m, v);
        }
      }
    }
}

/* ---- forward ---- */

/* acc[c][j] += w[c w_stride] v[16 j ..], c < CB, j < QB: QB vectors of v
** (the last masked by `last`) loaded once for CB broadcast weights. The
** step of the forward pass (v: shifted rows, w: the weights of one tap) and
** of dx (v: a row of dy, w: one output map's weights for CB input maps). */
INLINE AVX512 void rank1(__m512 acc[][FWD_QB], const float *v, __mmask16 last, const float *w, int64_t w_stride,
                         const int CB, const int QB) {
  __m512 vv[FWD_QB];
#pragma GCC unroll 8
  for (int j = 0; j < QB; j++) vv[j] = _mm512_maskz_loadu_ps(j == QB - 1 ? last : (__mmask16)0xFFFF, v + 16 * j);
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++) {
    __m512 wv = _mm512_set1_ps(w[c * w_stride]);
#pragma GCC unroll 8
    for (int j = 0; j < QB; j++) acc[c][j] = _mm512_fmadd_ps(wv, vv[j], acc[c][j]);
  }
}

/* Maps [co0, co0 + CB), positions [q0, q0 + 16 QB) of one image (the last
** vector masked by `last`): each tap's QB vectors of shifted rows are
** loaded once for CB maps, each broadcast weight serves QB vectors. */
INLINE AVX512 void forward_tile(const ln_convgeom *g, const float *xs, const float *w, const float *bias, float *y,
                                int co0, int64_t q0, __mmask16 last, const int CB, const int QB) {
  const int k_h = g->k_h, k_w = g->k_w, w_out = g->w_out;
  const int64_t plane = rows_of(g) * w_out, p = (int64_t)g->h_out * w_out;
  const int64_t taps = (int64_t)g->c_in * k_h * k_w;
  __m512 acc[FWD_CB][FWD_QB];   /* CB x QB used: constants once inlined, so registers */
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
#pragma GCC unroll 8
    for (int j = 0; j < QB; j++) acc[c][j] = _mm512_set1_ps(bias[co0 + c]);
  for (int ci = 0; ci < g->c_in; ci++)
    for (int ky = 0; ky < k_h; ky++) {
      const float *wrow = w + co0 * taps + ((int64_t)ci * k_h + ky) * k_w;
      const float *src = xs + (int64_t)ci * k_w * plane + (int64_t)ky * w_out + q0;
      for (int kx = 0; kx < k_w; kx++) rank1(acc, src + kx * plane, last, wrow + kx, taps, CB, QB);
    }
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
#pragma GCC unroll 8
    for (int j = 0; j < QB; j++)
      _mm512_mask_storeu_ps(y + (co0 + c) * p + q0 + 16 * j, j == QB - 1 ? last : (__mmask16)0xFFFF, acc[c][j]);
}

/* all positions of maps [co0, co0 + CB), FWD_QB vectors at a time */
INLINE AVX512 void forward_maps(const ln_convgeom *g, const float *xs, const float *w, const float *bias, float *y,
                                int co0, const int CB) {
  const int64_t p = (int64_t)g->h_out * g->w_out, nv = (p + 15) / 16;
  for (int64_t v = 0; v < nv; v += FWD_QB) {
    int64_t qb = nv - v < FWD_QB ? nv - v : FWD_QB;
    __mmask16 last = lanes(p - 16 * (v + qb - 1));
    switch (qb) {
      case 1: forward_tile(g, xs, w, bias, y, co0, 16 * v, last, CB, 1); break;
      case 2: forward_tile(g, xs, w, bias, y, co0, 16 * v, last, CB, 2); break;
      case 3: forward_tile(g, xs, w, bias, y, co0, 16 * v, last, CB, 3); break;
      default: forward_tile(g, xs, w, bias, y, co0, 16 * v, last, CB, FWD_QB); break;
    }
  }
}

static AVX512 void forward_image(const ln_convgeom *g, const float *xs, const float *w, const float *bias,
                                 float *y) {
  int co = 0;
  for (; co + FWD_CB <= g->c_out; co += FWD_CB) forward_maps(g, xs, w, bias, y, co, FWD_CB);
  switch (g->c_out - co) {
    case 1: forward_maps(g, xs, w, bias, y, co, 1); break;
    case 2: forward_maps(g, xs, w, bias, y, co, 2); break;
    case 3: forward_maps(g, xs, w, bias, y, co, 3); break;
    case 4: forward_maps(g, xs, w, bias, y, co, 4); break;
    default: break;
  }
}

AVX512 void ln_conv_flat_forward(const ln_convgeom *g, int64_t batch, const float *x, const float *w,
                                 const float *bias, float *xs, int64_t xs_stride, float *y) {
  const int64_t img_in = (int64_t)g->c_in * g->h_in * g->w_in, img_out = (int64_t)g->c_out * g->h_out * g->w_out;
  for (int64_t b = 0; b < batch; b++) {
    shift_rows(g, x + b * img_in, xs + b * xs_stride);   /* still in L1 for the products */
    forward_image(g, xs + b * xs_stride, w, bias, y + b * img_out);
  }
}

/* ---- weight gradient ---- */

static float blend(float beta, float old, float sum) {
  return beta == 0 ? sum : beta * old + sum;   /* beta 0: old may be anything, even NaN */
}

/* lane i of the result is the sum of a[i]'s lanes, i < 16: three rounds of
** pairwise shuffles and adds, then one permutation (46 instructions,
** against 16 horizontal sums of about 8) */
INLINE AVX512 __m512 sum16(const __m512 a[16]) {
  __m512 s[8], u[4];   /* every loop unrolled: a and these stay in registers */
#pragma GCC unroll 8
  for (int i = 0; i < 8; i++)   /* s[i]: 128-bit lanes 0-1 for a[2i], 2-3 for a[2i + 1] */
    s[i] = _mm512_add_ps(_mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
#pragma GCC unroll 4
  for (int m = 0; m < 4; m++)   /* u[m]: 128-bit lane k for a[4m + k] */
    u[m] = _mm512_add_ps(_mm512_shuffle_f32x4(s[2 * m], s[2 * m + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f32x4(s[2 * m], s[2 * m + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  __m512 s01 = _mm512_add_ps(_mm512_unpacklo_ps(u[0], u[1]), _mm512_unpackhi_ps(u[0], u[1]));
  __m512 s23 = _mm512_add_ps(_mm512_unpacklo_ps(u[2], u[3]), _mm512_unpackhi_ps(u[2], u[3]));
  __m512 w = _mm512_add_ps(_mm512_shuffle_ps(s01, s23, _MM_SHUFFLE(1, 0, 1, 0)),
                           _mm512_shuffle_ps(s01, s23, _MM_SHUFFLE(3, 2, 3, 2)));
  /* lane 4k + m of w holds a[4m + k]'s sum */
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm512_permutexvar_ps(order, w);
}

/* to[0..n) = beta to + lanes [first, first + n) of v (beta 0: only written) */
INLINE AVX512 void blend_lanes(float *to, float beta, __m512 v, int first, int n) {
  __m512 lanes_v = _mm512_permutexvar_ps(_mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                                                            12, 13, 14, 15),
                                                          _mm512_set1_epi32(first)), v);
  __mmask16 m = lanes(n);
  if (beta != 0) lanes_v = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(m, to), lanes_v);
  _mm512_mask_storeu_ps(to, m, lanes_v);
}

/* acc[c KW + kx] += dy[c, 0..16) xs[kx plane + 0..16), lanes in m */
INLINE AVX512 void weight_step(__m512 *acc, const float *d, const float *s, int64_t p, int64_t plane, __mmask16 m,
                               const int CB, const int KW) {
  __m512 dv[WGT_CB];
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++) dv[c] = m == 0xFFFF ? _mm512_loadu_ps(d + c * p) : _mm512_maskz_loadu_ps(m, d + c * p);
#pragma GCC unroll 8
  for (int kx = 0; kx < KW; kx++) {
    __m512 xv = m == 0xFFFF ? _mm512_loadu_ps(s + kx * plane) : _mm512_maskz_loadu_ps(m, s + kx * plane);
    __asm__("" : "+v"(xv));   /* one load for the CB products, not one each as a memory operand */
#pragma GCC unroll 8
    for (int c = 0; c < CB; c++) acc[c * KW + kx] = _mm512_fmadd_ps(dv[c], xv, acc[c * KW + kx]);
  }
}

/* dw of maps [co0, co0 + CB), input map ci, kernel row ky, taps
** [kx0, kx0 + KW): CB x KW sums over the images and positions */
INLINE AVX512 void weight_tile(const ln_convgeom *g, int64_t batch, const float *xs, int64_t xs_stride,
                               const float *dy, float beta, float *dw, int co0, int ci, int ky, int kx0, const int CB,
                               const int KW) {
  const int c_out = g->c_out, k_w = g->k_w, w_out = g->w_out;
  const int64_t plane = rows_of(g) * w_out, p = (int64_t)g->h_out * w_out;
  __m512 acc[WGT_CB * WGT_KW];   /* acc[c KW + kx], CB x KW used */
#pragma GCC unroll 16
  for (int i = 0; i < CB * KW; i++) acc[i] = _mm512_setzero_ps();
  for (int64_t b = 0; b < batch; b++) {
    const float *d = dy + (b * c_out + co0) * p;
    const float *s = xs + b * xs_stride + ((int64_t)ci * k_w + kx0) * plane + (int64_t)ky * w_out;
    int64_t q = 0;
    for (; q + 16 <= p; q += 16) weight_step(acc, d + q, s + q, p, plane, (__mmask16)0xFFFF, CB, KW);
    if (q < p) weight_step(acc, d + q, s + q, p, plane, lanes(p - q), CB, KW);   /* masked loads only here */
  }
  /* constant indices only: a variable one would keep acc in memory */
  if (CB * KW >= 12) {   /* the tree, with zeros for the sums it does not need */
    __m512 all[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) all[i] = i < CB * KW ? acc[i < CB * KW ? i : 0] : _mm512_setzero_ps();
    __m512 v = sum16(all);
#pragma GCC unroll 8
    for (int c = 0; c < CB; c++)
      blend_lanes(dw + (((int64_t)(co0 + c) * g->c_in + ci) * g->k_h + ky) * k_w + kx0, beta, v, c * KW, KW);
    return;
  }
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
#pragma GCC unroll 8
    for (int kx = 0; kx < KW; kx++) {
      float *to = dw + (((int64_t)(co0 + c) * g->c_in + ci) * g->k_h + ky) * k_w + kx0 + kx;
      *to = blend(beta, *to, _mm512_reduce_add_ps(acc[c * KW + kx]));
    }
}

/* Each tile shape its own function: inlined into one function together,
** GCC kept some of the 15 sums in memory (a store and a load around every
** FMA on them) and the layer's weight gradient ran at 110 GF/s, not 165. */
#define WEIGHT_TILE(CB, KW)                                                                                         \
  static __attribute__((noinline)) AVX512 void weight_tile_##CB##_##KW(                                           \
      const ln_convgeom *g, int64_t batch, const float *xs, int64_t xs_stride, const float *dy, float beta,       \
      float *dw, int co0, int ci, int ky, int kx0) {                                                              \
    weight_tile(g, batch, xs, xs_stride, dy, beta, dw, co0, ci, ky, kx0, CB, KW);                                  \
  }
#define WEIGHT_TILES(CB) WEIGHT_TILE(CB, 1) WEIGHT_TILE(CB, 2) WEIGHT_TILE(CB, 3) WEIGHT_TILE(CB, 4) WEIGHT_TILE(CB, 5)
WEIGHT_TILES(1)
WEIGHT_TILES(2)
WEIGHT_TILES(3)

typedef void (*weight_fn)(const ln_convgeom *, int64_t, const float *, int64_t, const float *, float, float *, int,
                          int, int, int);
/* [CB - 1][KW - 1] */
static const weight_fn weight_tiles[WGT_CB][WGT_KW] = {
  {weight_tile_1_1, weight_tile_1_2, weight_tile_1_3, weight_tile_1_4, weight_tile_1_5},
  {weight_tile_2_1, weight_tile_2_2, weight_tile_2_3, weight_tile_2_4, weight_tile_2_5},
  {weight_tile_3_1, weight_tile_3_2, weight_tile_3_3, weight_tile_3_4, weight_tile_3_5},
};

/* one kernel row's taps for maps [co0, co0 + cb), WGT_KW at a time */
static void weight_row(const ln_convgeom *g, int64_t batch, const float *xs, int64_t xs_stride, const float *dy,
                       float beta, float *dw, int co0, int ci, int ky, int cb) {
  for (int kx = 0; kx < g->k_w; kx += WGT_KW) {
    int kw = g->k_w - kx < WGT_KW ? g->k_w - kx : WGT_KW;
    weight_tiles[cb - 1][kw - 1](g, batch, xs, xs_stride, dy, beta, dw, co0, ci, ky, kx);
  }
}

/* db[co] = beta db[co] + the sum of dy[b, co] over the batch's positions */
static AVX512 void bias_sums(const ln_convgeom *g, int64_t batch, const float *dy, float beta, float *db) {
  const int64_t p = (int64_t)g->h_out * g->w_out;
  for (int co = 0; co < g->c_out; co++) {
    __m512 acc = _mm512_setzero_ps();
    for (int64_t b = 0; b < batch; b++) {
      const float *d = dy + (b * g->c_out + co) * p;
      for (int64_t q = 0; q < p; q += 16) acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(lanes(p - q), d + q));
    }
    db[co] = blend(beta, db[co], _mm512_reduce_add_ps(acc));
  }
}

/* dw over the batch: for each input map and kernel row, the output maps
** WGT_CB at a time (the shifted rows of that input map stay in L1) */
static void weight_maps(const ln_convgeom *g, int64_t batch, const float *xs, int64_t xs_stride, const float *dy,
                        float beta, float *dw) {
  for (int ci = 0; ci < g->c_in; ci++)
    for (int ky = 0; ky < g->k_h; ky++)
      for (int co = 0; co < g->c_out; co += WGT_CB)
        weight_row(g, batch, xs, xs_stride, dy, beta, dw, co, ci, ky, g->c_out - co < WGT_CB ? g->c_out - co : WGT_CB);
}

/* Images per pass over the weights: as many as keep a tile's dy and
** shifted rows within this (at least one), so that they stay in L1 for
** the next tiles. The chapter-6 first layer (576 positions, 20 KB an
** image) goes image by image: its weight gradient took 64-66 us a
** mini-batch of 10 in one pass over the batch, 41 us so (warm, one thread). */
#define WGT_L1_BYTES (32 * 1024)

AVX512 void ln_conv_flat_weight(const ln_convgeom *g, int64_t batch, const float *xs, int64_t xs_stride,
                                const float *dy, float beta, float *dw, float *db) {
  const int64_t p = (int64_t)g->h_out * g->w_out, plane = rows_of(g) * g->w_out;
  int64_t per_image = (WGT_CB * p + WGT_KW * plane) * (int64_t)sizeof(float);
  int64_t step = WGT_L1_BYTES / per_image > 1 ? WGT_L1_BYTES / per_image : 1;
  for (int64_t b0 = 0; b0 < batch; b0 += step)
    weight_maps(g, batch - b0 < step ? batch - b0 : step, xs + b0 * xs_stride, xs_stride, dy + b0 * g->c_out * p,
                b0 == 0 ? beta : 1.0f, dw);
  bias_sums(g, batch, dy, beta, db);
}

/* ---- input gradient ---- */

/* One tap (ky, kx): input maps [ci0, ci0 + CB), dy positions [q0, q0 + 16 QB)
** summed over the output maps, added into dxs once at the end. Tiles of
** the same tap never overlap; the next overlapping ones (the next ky) come
** k_w taps later, long after these stores. */
INLINE AVX512 void input_tile(const ln_convgeom *g, const float *dy, const float *wt, float *dxs, int ci0, int ky,
                              int kx, int64_t q0, __mmask16 last, const int CB, const int QB) {
  const int c_out = g->c_out, w_out = g->w_out;
  const int64_t plane = rows_of(g) * w_out, p = (int64_t)g->h_out * w_out;
  const float *wk = wt + ((int64_t)(ky * g->k_w + kx) * g->c_in + ci0) * c_out;
  __m512 acc[FWD_CB][FWD_QB];   /* CB x QB used */
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
#pragma GCC unroll 8
    for (int j = 0; j < QB; j++) acc[c][j] = _mm512_setzero_ps();
  for (int co = 0; co < c_out; co++) rank1(acc, dy + co * p + q0, last, wk + co, c_out, CB, QB);
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
#pragma GCC unroll 8
    for (int j = 0; j < QB; j++) {
      __mmask16 m = j == QB - 1 ? last : (__mmask16)0xFFFF;
      float *to = dxs + ((int64_t)(ci0 + c) * g->k_w + kx) * plane + (int64_t)ky * w_out + q0 + 16 * j;
      _mm512_mask_storeu_ps(to, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, to), acc[c][j]));
    }
}

INLINE AVX512 void input_maps(const ln_convgeom *g, const float *dy, const float *wt, float *dxs, int ci0, int ky,
                              int kx, const int CB) {
  const int64_t p = (int64_t)g->h_out * g->w_out, nv = (p + 15) / 16;
  for (int64_t v = 0; v < nv; v += FWD_QB) {
    int64_t qb = nv - v < FWD_QB ? nv - v : FWD_QB;
    __mmask16 last = lanes(p - 16 * (v + qb - 1));
    switch (qb) {
      case 1: input_tile(g, dy, wt, dxs, ci0, ky, kx, 16 * v, last, CB, 1); break;
      case 2: input_tile(g, dy, wt, dxs, ci0, ky, kx, 16 * v, last, CB, 2); break;
      case 3: input_tile(g, dy, wt, dxs, ci0, ky, kx, 16 * v, last, CB, 3); break;
      default: input_tile(g, dy, wt, dxs, ci0, ky, kx, 16 * v, last, CB, FWD_QB); break;
    }
  }
}

/* dx[ci, y, x] = sum over kx of dxs[ci, kx, y + pad, x + pad - kx], a row
** at a time in registers. The load for tap kx starts pad - kx floats from
** the row (masked lanes are not read; the address stays inside dxs,
** behind the previous tap's copy). */
static AVX512 void fold_rows(const ln_convgeom *g, const float *dxs, float *dx) {
  const int w_in = g->w_in, w_out = g->w_out, pad = g->pad;
  for (int ci = 0; ci < g->c_in; ci++)
    for (int y = 0; y < g->h_in; y++)
      for (int x0 = 0; x0 < w_in; x0 += 16) {
        __m512 acc = _mm512_setzero_ps();
        for (int kx = 0; kx < g->k_w; kx++) {
          const float *row = dxs + (((int64_t)ci * g->k_w + kx) * rows_of(g) + y + pad) * w_out;
          int first = x0 + pad - kx;   /* the column of dxs that lane 0 reads */
          __mmask16 m = lane_range(-first, w_out - first) & lanes(w_in - x0);
          if (m) acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, row + first));
        }
        _mm512_mask_storeu_ps(dx + ((int64_t)ci * g->h_in + y) * w_in + x0, lanes(w_in - x0), acc);
      }
}

static AVX512 void input_image(const ln_convgeom *g, const float *dy, const float *wt, float *dxs, float *dx) {
  const int64_t rows = ln_conv_flat_rows(g);
  for (int64_t i = 0; i < rows; i++) dxs[i] = 0.0f;
  for (int ky = 0; ky < g->k_h; ky++)
    for (int kx = 0; kx < g->k_w; kx++) {
      int ci = 0;
      for (; ci + FWD_CB <= g->c_in; ci += FWD_CB) input_maps(g, dy, wt, dxs, ci, ky, kx, FWD_CB);
      switch (g->c_in - ci) {
        case 1: input_maps(g, dy, wt, dxs, ci, ky, kx, 1); break;
        case 2: input_maps(g, dy, wt, dxs, ci, ky, kx, 2); break;
        case 3: input_maps(g, dy, wt, dxs, ci, ky, kx, 3); break;
        case 4: input_maps(g, dy, wt, dxs, ci, ky, kx, 4); break;
        default: break;
      }
    }
  fold_rows(g, dxs, dx);
}

AVX512 void ln_conv_flat_input(const ln_convgeom *g, int64_t batch, const float *dy, const float *wt, float *dxs,
                               float *dx) {
  const int64_t img_in = (int64_t)g->c_in * g->h_in * g->w_in, img_out = (int64_t)g->c_out * g->h_out * g->w_out;
  for (int64_t b = 0; b < batch; b++) input_image(g, dy + b * img_out, wt, dxs, dx + b * img_in);
}
