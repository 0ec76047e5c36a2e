/*
 * The filter gradient of a 3x3 stride-1 convolution by Winograd F(4x4, 3x3), in three passes (each a kernel):
 *   wino_dw_transform: per tile, V = Bᵀ d B of the input patch and D = A dY Aᵀ of the output gradient tile;
 *   wino_dw_gemm:      M_t = Σ over tiles of V_tᵀ D_t for each of the 36 components ([C] x [K] sums);
 *   wino_dw_output:    dW = Gᵀ M G per input/output channel pair.
 * Every output of a pass is computed by one chunk, summing the tiles in order: results do not depend on threads.
 */
#include "gemm.h"
#include "winograd_tiles.h"

INLINE v128_t ld_dy(const float *p, int ok) { return ok ? V_LD(p) : V_ZERO; }

/* D for tiles t0..t0+count-1: A dY Aᵀ of each 4x4 tile of dy [N][OH][OW][K], at d + (t * tiles + i) * k8. */
INLINE void dy_transform(const Geo *g, const float *dy, int t0, int count, int tiles, int k8, float *d, float *tmp) {
  const int per = g->th * g->tw;
  for (int i = 0; i < count; i++) {
    const int tile = t0 + i, img = tile / per, rem = tile % per;
    const int oy0 = (rem / g->tw) * 4, ox0 = (rem % g->tw) * 4;
    for (int kk = 0; kk < k8; kk += 4) {
      if (kk >= g->k) {
        for (int t = 0; t < 36; t++) V_ST(d + (t * tiles + i) * k8 + kk, V_ZERO);
        continue;
      }
      for (int r = 0; r < 4; r++) {
        const int ok = oy0 + r < g->oh;
        const float *row = dy + ((img * g->oh + oy0 + r) * g->ow + ox0) * g->k + kk;
        v128_t z0, z1, z2, z3, z4, z5;
        WINO_A(ld_dy(row, ok), ld_dy(row + g->k, ok && ox0 + 1 < g->ow), ld_dy(row + 2 * g->k, ok && ox0 + 2 < g->ow),
               ld_dy(row + 3 * g->k, ok && ox0 + 3 < g->ow), z0, z1, z2, z3, z4, z5);
        float *o = tmp + r * 24;
        V_ST(o, z0); V_ST(o + 4, z1); V_ST(o + 8, z2); V_ST(o + 12, z3); V_ST(o + 16, z4); V_ST(o + 20, z5);
      }
      for (int j = 0; j < 6; j++) {
        v128_t z0, z1, z2, z3, z4, z5;
        WINO_A(V_LD(tmp + j * 4), V_LD(tmp + 24 + j * 4), V_LD(tmp + 48 + j * 4), V_LD(tmp + 72 + j * 4), z0, z1, z2, z3, z4, z5);
        float *o = d + (j * tiles + i) * k8 + kk;
        const int step = 6 * tiles * k8;
        V_ST(o, z0); V_ST(o + step, z1); V_ST(o + 2 * step, z2); V_ST(o + 3 * step, z3); V_ST(o + 4 * step, z4);
        V_ST(o + 5 * step, z5);
      }
    }
  }
}

/*
 * Arguments: 0 x [N][H][W][C]; 1 dy [N][OH][OW][K]; 2 V [36][tiles][C]; 3 D [36][tiles][K8]; 4 N; 5 H; 6 W; 7 C;
 * 8 K; 9 OH; 10 OW; 11 pad top; 12 pad left; 13 tiles per chunk; 14 scratch; 15 scratch floats per thread (144).
 */
KERNEL(wino_dw_transform) {
  Geo g = {ARG_P(0), ARG_I(5), ARG_I(6), ARG_I(7), ARG_I(11), ARG_I(12), 0, 0, ARG_I(9), ARG_I(10), ARG_I(8)};
  const float *dy = ARG_P(1);
  float *v = ARG_P(2), *d = ARG_P(3);
  const int n = ARG_I(4), tt = ARG_I(13), k8 = (g.k + 7) & ~7;
  float *tmp = ARG_P(14) + tid * ARG_I(15);
  g.th = (g.oh + 3) / 4;
  g.tw = (g.ow + 3) / 4;
  const int tiles = n * g.th * g.tw, chunks = (tiles + tt - 1) / tt;
  for (int ch; (ch = claim(job)) < chunks;) {
    const int t0 = ch * tt, count = imin(tt, tiles - t0);
    input_transform(&g, t0, count, tiles, tiles, v + t0 * g.c, tmp);
    dy_transform(&g, dy, t0, count, tiles, k8, d + t0 * k8, tmp);
  }
}

/*
 * Arguments: 0 V; 1 D; 2 M [36][C][K8]; 3 tiles; 4 C; 5 K8; 6 rows of C per job; 7 columns of K8 per job (a multiple
 * of 8); 8 tiles per segment (the block of V and D kept in cache while all of the job's products use it).
 */
KERNEL(wino_dw_gemm) {
  const float *v = ARG_P(0), *d = ARG_P(1);
  float *m = ARG_P(2);
  const int tiles = ARG_I(3), c = ARG_I(4), k8 = ARG_I(5), cb = ARG_I(6), kb = ARG_I(7), seg = ARG_I(8);
  const int ncb = (c + cb - 1) / cb, nkb = (k8 + kb - 1) / kb, jobs = 36 * ncb * nkb;
  for (int j; (j = claim(job)) < jobs;) {
    const int t = j / (ncb * nkb), c0 = ((j / nkb) % ncb) * cb, k0 = (j % nkb) * kb;
    const int rows = imin(cb, c - c0), cols = imin(kb, k8 - k0);
    for (int s0 = 0; s0 < tiles; s0 += seg) {
      const int len = imin(seg, tiles - s0);
      const float *a = v + (t * tiles + s0) * c + c0;
      const float *b = d + (t * tiles + s0) * k8 + k0;
      for (int kp = 0; kp < cols; kp += 8) mk_rows(rows, a, 1, c, b + kp, k8, len, m + (t * c + c0) * k8 + k0 + kp, k8, s0 > 0);
    }
  }
}

#define GT_ROW(i)                                                                                          \
  v128_t q##i##0, q##i##1, q##i##2;                                                                        \
  WINO_GT(V_LD(mp + (i * 6) * step), V_LD(mp + (i * 6 + 1) * step), V_LD(mp + (i * 6 + 2) * step),         \
          V_LD(mp + (i * 6 + 3) * step), V_LD(mp + (i * 6 + 4) * step), V_LD(mp + (i * 6 + 5) * step), q##i##0, \
          q##i##1, q##i##2);
#define GT_COL(b)                                                                          \
  {                                                                                        \
    v128_t w0, w1, w2;                                                                     \
    WINO_GT(q0##b, q1##b, q2##b, q3##b, q4##b, q5##b, w0, w1, w2);                         \
    V_ST(dw + (0 * 3 + b) * plane, w0);                                                    \
    V_ST(dw + (1 * 3 + b) * plane, w1);                                                    \
    V_ST(dw + (2 * 3 + b) * plane, w2);                                                    \
  }

/* Arguments: 0 M [36][C][K8]; 1 dW [3][3][C][K]; 2 C; 3 K. One chunk per input channel. */
KERNEL(wino_dw_output) {
  const float *m = ARG_P(0);
  float *out = ARG_P(1);
  const int c = ARG_I(2), k = ARG_I(3), k8 = (k + 7) & ~7, step = c * k8, plane = c * k;
  for (int ci; (ci = claim(job)) < c;) {
    for (int kk = 0; kk < k; kk += 4) {
      const float *mp = m + ci * k8 + kk;
      float *dw = out + ci * k + kk;
      GT_ROW(0) GT_ROW(1) GT_ROW(2) GT_ROW(3) GT_ROW(4) GT_ROW(5)
      GT_COL(0) GT_COL(1) GT_COL(2)
    }
  }
}
