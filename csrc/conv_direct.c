/*
** conv_direct.c: the direct float32 convolution of conv_direct.h.
**
** Why: with 25 weights per map (one input map, 5x5) the first layer's
** products are GEMMs with an inner dimension of 25, which OpenBLAS runs at
** about half its peak (packing costs as much as the multiply), after an
** im2col that copies every pixel 25 times; the second layer's products run
** near peak, but its columns (1.28 MB at mini-batch 10) are written,
** streamed twice and laid out again around them. Here each output row of
** w_out pixels is a few AVX2 registers: for every tap, the input rows
** shifted by kx are loaded once and multiplied into 3 or 4 maps' rows
** (forward; rows of one vector four at a time), and the weight gradient keeps 2
** maps x k_w taps of sums in registers while it streams dy and the shifted
** input rows (no columns at all). Alone, warm, mini-batch 10, one thread:
** layer 1 forward 68 us (84 GFLOP/s), dW 70-90 us; layer 2 forward 265-350 us
** (73-97 GFLOP/s), dW 315-323 us (80 GFLOP/s).
**
** The build has no -march flag: these functions are compiled for AVX2 and
** FMA by target attributes and used only when the CPU has both (checked
** at run time); conv.c keeps im2col + GEMM for everything else, and the
** specs compare both with the plain loops in real/conv.inc.
*/
#include <immintrin.h>

#include "conv_direct.h"
#include "cpu.h"

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

/* at most this many weights per output map (c_in k_h k_w) */
#define LN_CONV_DIRECT_TAPS 500

static ln_cpu_choice level = LN_CPU_CHOICE_INIT;

int ln_conv_level(void) {
  return ln_cpu_choice_get(&level);
}

int ln_conv_set_level(int want) {
  return ln_cpu_choice_set(&level, want);
}

int ln_conv_direct_ok(const ln_convgeom *g) {
  return g->stride == 1 && g->pad == 0 && g->w_out % 8 == 0 && g->w_out >= 8 && g->w_out <= 32 &&
         (g->k_w == 3 || g->k_w == 5) && g->c_in * g->k_h * g->k_w <= LN_CONV_DIRECT_TAPS && __builtin_cpu_supports("avx2") &&
         __builtin_cpu_supports("fma");
}

/* Maps [co0, co0 + CB), output rows [oy, oy + RB) of one image: CB x RB x NV
** accumulators; each tap's shifted input rows are loaded once for CB maps
** and each broadcast weight serves RB x NV vectors. */
INLINE AVX2 void forward_tile(const ln_convgeom *g, const float *x, const float *w, const float *bias, float *y,
                              int co0, int oy, const int CB, const int RB, const int NV) {
  const int k_h = g->k_h, k_w = g->k_w, c_in = g->c_in, w_in = g->w_in, w_out = NV * 8;
  const int64_t img = (int64_t)g->h_in * w_in, p = (int64_t)g->h_out * w_out, taps = (int64_t)c_in * k_h * k_w;
  __m256 acc[4][4];   /* CB x (RB NV) used: constants once inlined, so registers */
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
#pragma GCC unroll 8
    for (int i = 0; i < RB * NV; i++) acc[c][i] = _mm256_set1_ps(bias[co0 + c]);
  for (int ci = 0; ci < c_in; ci++)
    for (int ky = 0; ky < k_h; ky++) {
      const float *row = x + ci * img + (int64_t)(oy + ky) * w_in;   /* w_in >= w_out + k_w - 1 */
      const float *wt = w + (int64_t)co0 * taps + (ci * k_h + ky) * k_w;
      for (int kx = 0; kx < k_w; kx++) {
        __m256 xv[4];
#pragma GCC unroll 8
        for (int r = 0; r < RB; r++)
#pragma GCC unroll 8
          for (int j = 0; j < NV; j++) xv[r * NV + j] = _mm256_loadu_ps(row + r * w_in + kx + 8 * j);
#pragma GCC unroll 8
        for (int c = 0; c < CB; c++) {
          __m256 wv = _mm256_broadcast_ss(wt + c * taps + kx);
#pragma GCC unroll 8
          for (int i = 0; i < RB * NV; i++) acc[c][i] = _mm256_fmadd_ps(wv, xv[i], acc[c][i]);
        }
      }
    }
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
#pragma GCC unroll 8
    for (int r = 0; r < RB; r++)
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++)
        _mm256_storeu_ps(y + (co0 + c) * p + (int64_t)(oy + r) * w_out + 8 * j, acc[c][r * NV + j]);
}

/* All rows of maps [co0, co0 + CB): rows of one vector go four at a time
** (3 maps x 4 rows: 12 accumulators, 7 loads for 12 FMAs; 3 rows x 4 maps
** ran 10% slower on the chapter-6 second layer), longer rows one at a time
** (4 maps x NV vectors). */
INLINE AVX2 void forward_maps(const ln_convgeom *g, const float *x, const float *w, const float *bias, float *y,
                              int co0, const int CB, const int NV) {
  const int RB = NV == 1 ? 4 : 1;
  int oy = 0;
  for (; oy + RB <= g->h_out; oy += RB) forward_tile(g, x, w, bias, y, co0, oy, CB, RB, NV);
  for (; oy < g->h_out; oy++) forward_tile(g, x, w, bias, y, co0, oy, CB, 1, NV);
}

INLINE AVX2 void forward_nv(const ln_convgeom *g, int64_t batch, const float *x, const float *w,
                            const float *bias, float *y, const int NV) {
  const int64_t img_in = (int64_t)g->c_in * g->h_in * g->w_in, img_out = (int64_t)g->c_out * g->h_out * g->w_out;
  const int CB = NV == 1 ? 3 : 4;
  for (int64_t b = 0; b < batch; b++) {
    int co = 0;
    for (; co + CB <= g->c_out; co += CB) forward_maps(g, x + b * img_in, w, bias, y + b * img_out, co, CB, NV);
    for (; co < g->c_out; co++) forward_maps(g, x + b * img_in, w, bias, y + b * img_out, co, 1, NV);
  }
}

AVX2 void ln_conv_direct_forward(const ln_convgeom *g, int64_t batch, const float *x, const float *w,
                                 const float *bias, float *y) {
  switch (g->w_out / 8) {
    case 1: forward_nv(g, batch, x, w, bias, y, 1); break;
    case 2: forward_nv(g, batch, x, w, bias, y, 2); break;
    case 3: forward_nv(g, batch, x, w, bias, y, 3); break;
    default: forward_nv(g, batch, x, w, bias, y, 4); break;
  }
}

INLINE AVX2 float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

static float blend(float beta, float old, float sum) {
  return beta == 0 ? sum : beta * old + sum;   /* beta 0: old may be anything, even NaN */
}

/* dw of maps [co0, co0 + CB), input map ci, kernel row ky: CB x KW sums. */
INLINE AVX2 void weight_row(const ln_convgeom *g, int64_t batch, const float *x, const float *dy, float beta,
                            float *dw, int co0, int ci, int ky, const int CB, const int KW, const int NV) {
  const int c_in = g->c_in, c_out = g->c_out, w_in = g->w_in, h_out = g->h_out, w_out = NV * 8;
  const int64_t img = (int64_t)g->h_in * w_in, p = (int64_t)h_out * w_out;
  __m256 acc[2][5];   /* CB x KW used */
  #pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
    #pragma GCC unroll 8
    for (int kx = 0; kx < KW; kx++) acc[c][kx] = _mm256_setzero_ps();
  for (int64_t b = 0; b < batch; b++)
    for (int oy = 0; oy < h_out; oy++) {
      const float *row = x + (b * c_in + ci) * img + (int64_t)(oy + ky) * w_in;
      const float *d = dy + (b * c_out + co0) * p + oy * w_out;
      #pragma GCC unroll 8
      for (int j = 0; j < NV; j++) {
        __m256 dv[2];
        #pragma GCC unroll 8
        for (int c = 0; c < CB; c++) dv[c] = _mm256_loadu_ps(d + c * p + 8 * j);
        #pragma GCC unroll 8
        for (int kx = 0; kx < KW; kx++) {
          __m256 xv = _mm256_loadu_ps(row + 8 * j + kx);
          __asm__("" : "+x"(xv));   /* one load for the CB products, not one each as a memory operand */
          #pragma GCC unroll 8
          for (int c = 0; c < CB; c++) acc[c][kx] = _mm256_fmadd_ps(dv[c], xv, acc[c][kx]);
        }
      }
    }
  #pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
    #pragma GCC unroll 8
    for (int kx = 0; kx < KW; kx++) {
      float *to = dw + (((int64_t)(co0 + c) * c_in + ci) * g->k_h + ky) * KW + kx;
      *to = blend(beta, *to, hsum(acc[c][kx]));
    }
}

INLINE AVX2 void weight_kw(const ln_convgeom *g, int64_t batch, const float *x, const float *dy, float beta,
                           float *dw, const int KW, const int NV) {
  for (int ci = 0; ci < g->c_in; ci++)
    for (int ky = 0; ky < g->k_h; ky++) {
      int co = 0;
      for (; co + 2 <= g->c_out; co += 2) weight_row(g, batch, x, dy, beta, dw, co, ci, ky, 2, KW, NV);
      for (; co < g->c_out; co++) weight_row(g, batch, x, dy, beta, dw, co, ci, ky, 1, KW, NV);
    }
}

INLINE AVX2 void weight_nv(const ln_convgeom *g, int64_t batch, const float *x, const float *dy, float beta,
                           float *dw, const int NV) {
  if (g->k_w == 3)
    weight_kw(g, batch, x, dy, beta, dw, 3, NV);
  else
    weight_kw(g, batch, x, dy, beta, dw, 5, NV);
}

/* db[co] = beta db[co] + the sum of dy[b, co] over the batch's positions */
static AVX2 void bias_sums(const ln_convgeom *g, int64_t batch, const float *dy, float beta, float *db) {
  const int64_t p = (int64_t)g->h_out * g->w_out;   /* a multiple of 8 */
  for (int co = 0; co < g->c_out; co++) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < batch; b++) {
      const float *d = dy + (b * g->c_out + co) * p;
      for (int64_t q = 0; q < p; q += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(d + q));
    }
    db[co] = blend(beta, db[co], hsum(acc));
  }
}

AVX2 void ln_conv_direct_weight(const ln_convgeom *g, int64_t batch, const float *x, const float *dy, float beta,
                                float *dw, float *db) {
  switch (g->w_out / 8) {
    case 1: weight_nv(g, batch, x, dy, beta, dw, 1); break;
    case 2: weight_nv(g, batch, x, dy, beta, dw, 2); break;
    case 3: weight_nv(g, batch, x, dy, beta, dw, 3); break;
    default: weight_nv(g, batch, x, dy, beta, dw, 4); break;
  }
  bias_sums(g, batch, dy, beta, db);
}

/* ---- dx: the full correlation of dy with the kernels, scattered by tap ----
** For one tap (ky, kx), dy's rows [oy, oy + RB) times the tap's weights,
** summed over the output maps, are rows oy + ky of dx shifted right by kx:
** every product lands inside dx (w_in = w_out + k_w - 1), so nothing is
** padded and no zero is multiplied (the same 1.28 M multiply-adds an image
** as W^T dy in the second layer). The tile keeps CB input maps x RB rows x NV
** vectors of sums over co (3 maps x 4 rows of one vector: 7 loads for 12
** FMAs, as forward) and adds them once into dx, a few hundred cycles after the
** previous tap's overlapping stores. */
void ln_conv_direct_flip(const ln_convgeom *g, const float *w, float *wt) {
  const int taps = g->k_h * g->k_w;
  for (int co = 0; co < g->c_out; co++)
    for (int ci = 0; ci < g->c_in; ci++)
      for (int t = 0; t < taps; t++) wt[((int64_t)t * g->c_in + ci) * g->c_out + co] = w[((int64_t)co * g->c_in + ci) * taps + t];
}

INLINE AVX2 void input_tile(const ln_convgeom *g, const float *dy, const float *wt, float *dx, int ci0, int oy,
                            int ky, int kx, const int CB, const int RB, const int NV) {
  const int c_out = g->c_out, w_in = g->w_in, w_out = NV * 8;
  const int64_t img = (int64_t)g->h_in * w_in, p = (int64_t)g->h_out * w_out;
  const float *wk = wt + ((int64_t)(ky * g->k_w + kx) * g->c_in + ci0) * c_out;
  __m256 acc[4][4];   /* CB x (RB NV) used */
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
#pragma GCC unroll 8
    for (int i = 0; i < RB * NV; i++) acc[c][i] = _mm256_setzero_ps();
  for (int co = 0; co < c_out; co++) {
    const float *d = dy + co * p + (int64_t)oy * w_out;
    __m256 dv[4];
#pragma GCC unroll 8
    for (int i = 0; i < RB * NV; i++) dv[i] = _mm256_loadu_ps(d + 8 * i);   /* rows are contiguous */
#pragma GCC unroll 8
    for (int c = 0; c < CB; c++) {
      __m256 wv = _mm256_broadcast_ss(wk + c * c_out + co);
#pragma GCC unroll 8
      for (int i = 0; i < RB * NV; i++) acc[c][i] = _mm256_fmadd_ps(wv, dv[i], acc[c][i]);
    }
  }
#pragma GCC unroll 8
  for (int c = 0; c < CB; c++)
#pragma GCC unroll 8
    for (int r = 0; r < RB; r++)
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) {
        float *to = dx + (ci0 + c) * img + (int64_t)(oy + r + ky) * w_in + kx + 8 * j;
        _mm256_storeu_ps(to, _mm256_add_ps(_mm256_loadu_ps(to), acc[c][r * NV + j]));
      }
}

/* one image's dx from its dy: every tap, input maps CB at a time, dy rows RB at a time */
INLINE AVX2 void input_image(const ln_convgeom *g, const float *dy, const float *wt, float *dx, const int NV) {
  const int CB = NV == 1 ? 3 : 4, RB = NV == 1 ? 4 : 1;
  for (int64_t q = 0; q < (int64_t)g->c_in * g->h_in * g->w_in; q++) dx[q] = 0.0f;
  for (int ky = 0; ky < g->k_h; ky++)
    for (int kx = 0; kx < g->k_w; kx++) {
      int ci = 0;
      for (; ci + CB <= g->c_in; ci += CB) {
        int oy = 0;
        for (; oy + RB <= g->h_out; oy += RB) input_tile(g, dy, wt, dx, ci, oy, ky, kx, CB, RB, NV);
        for (; oy < g->h_out; oy++) input_tile(g, dy, wt, dx, ci, oy, ky, kx, CB, 1, NV);
      }
      for (; ci < g->c_in; ci++) {
        int oy = 0;
        for (; oy + RB <= g->h_out; oy += RB) input_tile(g, dy, wt, dx, ci, oy, ky, kx, 1, RB, NV);
        for (; oy < g->h_out; oy++) input_tile(g, dy, wt, dx, ci, oy, ky, kx, 1, 1, NV);
      }
    }
}

INLINE AVX2 void input_nv(const ln_convgeom *g, int64_t batch, const float *dy, const float *wt, float *dx,
                          const int NV) {
  const int64_t img_in = (int64_t)g->c_in * g->h_in * g->w_in, img_out = (int64_t)g->c_out * g->h_out * g->w_out;
  for (int64_t b = 0; b < batch; b++) input_image(g, dy + b * img_out, wt, dx + b * img_in, NV);
}

AVX2 void ln_conv_direct_input(const ln_convgeom *g, int64_t batch, const float *dy, const float *wt, float *dx) {
  switch (g->w_out / 8) {
    case 1: input_nv(g, batch, dy, wt, dx, 1); break;
    case 2: input_nv(g, batch, dy, wt, dx, 2); break;
    case 3: input_nv(g, batch, dy, wt, dx, 3); break;
    default: input_nv(g, batch, dy, wt, dx, 4); break;
  }
}
