/*
 * The tiling shared by the Winograd kernels: the geometry of a convolution's 4x4 output tiles (all images of the
 * batch in a row, row-major within an image) and the input transform of a run of tiles.
 */
#ifndef TL_WINOGRAD_TILES_H
#define TL_WINOGRAD_TILES_H
#include "winograd.h"

/** The convolution's input x [N][H][W][C], its pads, the tile grid (th x tw per image) and the output size. */
typedef struct {
  const float *x;
  int h, w, c, pt, pl, th, tw, oh, ow, k;
} Geo;

INLINE v128_t ld_in(const float *p, int ok) { return ok ? V_LD(p) : V_ZERO; }

/* Row transforms of the 6x6 patch at (iy0, ix0) of image `img`, channels cc..cc+3, into tmp[a][j]. */
INLINE void patch_rows(const Geo *g, int img, int iy0, int ix0, int cc, float *tmp) {
  for (int a = 0; a < 6; a++) {
    const int iy = iy0 + a;
    const int rowok = iy >= 0 && iy < g->h;
    const float *row = g->x + ((img * g->h + iy) * g->w + ix0) * g->c + cc;
    v128_t d0 = ld_in(row, rowok && ix0 >= 0 && ix0 < g->w);
    v128_t d1 = ld_in(row + g->c, rowok && ix0 + 1 >= 0 && ix0 + 1 < g->w);
    v128_t d2 = ld_in(row + 2 * g->c, rowok && ix0 + 2 >= 0 && ix0 + 2 < g->w);
    v128_t d3 = ld_in(row + 3 * g->c, rowok && ix0 + 3 >= 0 && ix0 + 3 < g->w);
    v128_t d4 = ld_in(row + 4 * g->c, rowok && ix0 + 4 >= 0 && ix0 + 4 < g->w);
    v128_t d5 = ld_in(row + 5 * g->c, rowok && ix0 + 5 >= 0 && ix0 + 5 < g->w);
    v128_t t0, t1, t2, t3, t4, t5;
    WINO_BT(d0, d1, d2, d3, d4, d5, t0, t1, t2, t3, t4, t5);
    float *o = tmp + a * 24;
    V_ST(o, t0); V_ST(o + 4, t1); V_ST(o + 8, t2); V_ST(o + 12, t3); V_ST(o + 16, t4); V_ST(o + 20, t5);
  }
}

/*
 * V[t][i][*] = component t of the input transform of tile t0 + i, for i < count (zeros for tiles past the last),
 * stored at v + (t * stride + i) * C: V is [36][stride][C] from the chunk's first tile.
 */
INLINE void input_transform(const Geo *g, int t0, int count, int stride, int tiles, float *v, float *tmp) {
  const int per = g->th * g->tw, c = g->c;
  for (int i = 0; i < count; i++) {
    const int tile = t0 + i;
    if (tile >= tiles) {
      for (int t = 0; t < 36; t++) for (int cc = 0; cc < c; cc += 4) V_ST(v + (t * stride + i) * c + cc, V_ZERO);
      continue;
    }
    const int img = tile / per, rem = tile % per;
    const int iy0 = (rem / g->tw) * 4 - g->pt, ix0 = (rem % g->tw) * 4 - g->pl;
    for (int cc = 0; cc < c; cc += 4) {
      patch_rows(g, img, iy0, ix0, cc, tmp);
      for (int j = 0; j < 6; j++) {
        v128_t s0, s1, s2, s3, s4, s5;
        WINO_BT(V_LD(tmp + j * 4), V_LD(tmp + 24 + j * 4), V_LD(tmp + 48 + j * 4), V_LD(tmp + 72 + j * 4),
                V_LD(tmp + 96 + j * 4), V_LD(tmp + 120 + j * 4), s0, s1, s2, s3, s4, s5);
        float *o = v + (j * stride + i) * c + cc;
        const int step = 6 * stride * c; /* from component (r, j) to (r + 1, j) */
        V_ST(o, s0); V_ST(o + step, s1); V_ST(o + 2 * step, s2); V_ST(o + 3 * step, s3); V_ST(o + 4 * step, s4);
        V_ST(o + 5 * step, s5);
      }
    }
  }
}

#endif
