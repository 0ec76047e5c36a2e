/*
 * 3x3 stride-1 convolution by Winograd F(4x4, 3x3), fused: each chunk of T output tiles (4x4 pixels, all images
 * of the batch in a row) is transformed (V, in the thread's scratch), multiplied by the packed filter transform
 * U panel by panel (8 output channels: 36 products [T, C] x [C, 8] into M), and transformed back into the output
 * with the bias and activation, so V and M stay in the core's caches.
 */
#include "gemm.h"
#include "winograd_tiles.h"

/* One tile's four output channels kc..kc+3 from M (component t at m[t * tt * 8]), with bias and activation. */
INLINE void output_tile(const Geo *g, int tile, const float *m, int tt, int kc, const float *bias, int act, float *y,
                        float *tmp) {
  const int per = g->th * g->tw, img = tile / per, rem = tile % per;
  const int oy0 = (rem / g->tw) * 4, ox0 = (rem % g->tw) * 4;
  for (int j = 0; j < 6; j++) {
    const int step = 6 * tt * 8;
    const float *q = m + j * tt * 8;
    v128_t s0, s1, s2, s3;
    WINO_AT(V_LD(q), V_LD(q + step), V_LD(q + 2 * step), V_LD(q + 3 * step), V_LD(q + 4 * step), V_LD(q + 5 * step),
            s0, s1, s2, s3);
    V_ST(tmp + j * 4, s0); V_ST(tmp + 24 + j * 4, s1); V_ST(tmp + 48 + j * 4, s2); V_ST(tmp + 72 + j * 4, s3);
  }
  const v128_t b = bias ? V_LD(bias + kc) : V_ZERO;
  for (int r = 0; r < 4 && oy0 + r < g->oh; r++) {
    const float *q = tmp + r * 24;
    v128_t y0, y1, y2, y3;
    WINO_AT(V_LD(q), V_LD(q + 4), V_LD(q + 8), V_LD(q + 12), V_LD(q + 16), V_LD(q + 20), y0, y1, y2, y3);
    float *o = y + ((img * g->oh + oy0 + r) * g->ow + ox0) * g->k + kc;
    const int cols = g->ow - ox0;
    V_ST(o, activate(V_ADD(y0, b), act));
    if (cols > 1) V_ST(o + g->k, activate(V_ADD(y1, b), act));
    if (cols > 2) V_ST(o + 2 * g->k, activate(V_ADD(y2, b), act));
    if (cols > 3) V_ST(o + 3 * g->k, activate(V_ADD(y3, b), act));
  }
}

/*
 * Arguments: 0 x [N][H][W][C]; 1 U from wino_filter; 2 bias [K] or 0; 3 y [N][OH][OW][K]; 4 N; 5 H; 6 W; 7 C;
 * 8 K; 9 OH; 10 OW; 11 pad top; 12 pad left; 13 activation (0 linear, 1 relu, 2 relu6); 14 T (tiles per chunk,
 * a multiple of 4); 15 scratch; 16 scratch floats per thread (36 T C + 36 T 8 + 144). C and K: multiples of 4.
 */
KERNEL(wino_conv) {
  Geo g = {ARG_P(0), ARG_I(5), ARG_I(6), ARG_I(7), ARG_I(11), ARG_I(12), 0, 0, ARG_I(9), ARG_I(10), ARG_I(8)};
  const float *u = ARG_P(1), *bias = ARG_P(2);
  float *y = ARG_P(3);
  const int n = ARG_I(4), act = ARG_I(13), tt = ARG_I(14);
  float *v = ARG_P(15) + tid * ARG_I(16);
  float *m = v + 36 * tt * g.c;
  float *tmp = m + 36 * tt * 8;
  g.th = (g.oh + 3) / 4;
  g.tw = (g.ow + 3) / 4;
  const int tiles = n * g.th * g.tw, chunks = (tiles + tt - 1) / tt, panels = (g.k + 7) / 8;
  for (int ch; (ch = claim(job)) < chunks;) {
    const int t0 = ch * tt, live = imin(tt, tiles - t0);
    input_transform(&g, t0, tt, tt, tiles, v, tmp);
    for (int p = 0; p < panels; p++) {
      const float *up = u + p * g.c * 8;
      for (int t = 0; t < 36; t++) {
        for (int r = 0; r < live; r += 4) {
          mk4x8(v + (t * tt + r) * g.c, g.c, 1, up + t * panels * g.c * 8, 8, g.c, m + (t * tt + r) * 8, 8, 0);
        }
      }
      for (int i = 0; i < live; i++) {
        output_tile(&g, t0 + i, m + i * 8, tt, p * 8, bias, act, y, tmp);
        if (p * 8 + 4 < g.k) output_tile(&g, t0 + i, m + i * 8 + 4, tt, p * 8 + 4, bias, act, y, tmp);
      }
    }
  }
}
