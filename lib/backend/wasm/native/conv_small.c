/*
 * Convolutions of few input channels (an image's first layer: 3 colours), NHWC, any window, stride and padding, on
 * all threads, with bias and activation. A window row's taps and channels are contiguous floats, in x as in the
 * filter: each output sums them row by row, in order. Where whole windows are inside the input and the outputs are
 * a multiple of 8, four pixels by eight outputs are summed at once in registers; elsewhere one pixel at a time.
 */
#include "common.h"

/* Output pixels [lo, hi) of one output row, one at a time (window rows [a0, a1) inside; columns clipped here). */
INLINE void smallPixels(const float *x, const float *f, const float *bias, float *out, int lo, int hi, int y0, int a0,
                        int a1, int w, int c, int kw, int sw, int pl, int k, int act) {
  for (int ox = lo; ox < hi; ox++) {
    const int x0 = ox * sw - pl;
    const int b0 = firstTap(x0, 1, kw), b1 = endTap(x0, 1, kw, w, b0), span = (b1 - b0) * c;
    for (int q = 0; q < k; q += 4) {
      v128_t acc = bias ? V_LD(bias + q) : V_ZERO;
      for (int a = a0; a < a1; a++) {
        const float *px = x + ((y0 + a) * w + x0 + b0) * c, *pw = f + (a * kw + b0) * c * k + q;
        for (int j = 0; j < span; j++, pw += k) acc = MADD(V_SPLAT(px[j]), V_LD(pw), acc);
      }
      V_ST(out + ox * k + q, activate(acc, act));
    }
  }
}

/* Four output pixels from `ox` (whole windows inside), outputs [q, q + 8): 8 sums in registers. */
INLINE void smallTile(const float *x, const float *f, const float *bias, float *out, int ox, int q, int y0, int a0,
                      int a1, int w, int c, int kw, int sw, int pl, int k, int act) {
  const int kc = kw * c, ps = sw * c;
  v128_t b0 = bias ? V_LD(bias + q) : V_ZERO, b1 = bias ? V_LD(bias + q + 4) : V_ZERO;
  v128_t s00 = b0, s01 = b1, s10 = b0, s11 = b1, s20 = b0, s21 = b1, s30 = b0, s31 = b1;
  for (int a = a0; a < a1; a++) {
    const float *px = x + ((y0 + a) * w + ox * sw - pl) * c, *pw = f + a * kc * k + q;
    for (int j = 0; j < kc; j++, pw += k) {
      const v128_t w0 = V_LD(pw), w1 = V_LD(pw + 4);
      const v128_t v0 = V_SPLAT(px[j]), v1 = V_SPLAT(px[j + ps]), v2 = V_SPLAT(px[j + 2 * ps]);
      const v128_t v3 = V_SPLAT(px[j + 3 * ps]);
      s00 = MADD(v0, w0, s00), s01 = MADD(v0, w1, s01), s10 = MADD(v1, w0, s10), s11 = MADD(v1, w1, s11);
      s20 = MADD(v2, w0, s20), s21 = MADD(v2, w1, s21), s30 = MADD(v3, w0, s30), s31 = MADD(v3, w1, s31);
    }
  }
  float *o = out + ox * k + q;
  V_ST(o, activate(s00, act)), V_ST(o + 4, activate(s01, act));
  V_ST(o + k, activate(s10, act)), V_ST(o + k + 4, activate(s11, act));
  V_ST(o + 2 * k, activate(s20, act)), V_ST(o + 2 * k + 4, activate(s21, act));
  V_ST(o + 3 * k, activate(s30, act)), V_ST(o + 3 * k + 4, activate(s31, act));
}

/*
 * Arguments: 0 x [N][H][W][C]; 1 filter [KH][KW][C][K]; 2 y [N][OH][OW][K]; 3 bias [K] (0: none); 4 activation (0
 * linear, 1 relu, 2 relu6); 5 N; 6 H; 7 W; 8 C; 9 OH; 10 OW; 11 KH; 12 KW; 13 stride y; 14 stride x; 15 pad top;
 * 16 pad left; 17 K (a multiple of 4). One chunk per output row.
 */
KERNEL(conv_small) {
  const float *x = ARG_P(0), *f = ARG_P(1), *bias = ARG_P(3);
  float *y = ARG_P(2);
  const int act = ARG_I(4), n = ARG_I(5), h = ARG_I(6), w = ARG_I(7), c = ARG_I(8), oh = ARG_I(9), ow = ARG_I(10);
  const int kh = ARG_I(11), kw = ARG_I(12), sh = ARG_I(13), sw = ARG_I(14), pt = ARG_I(15), pl = ARG_I(16);
  const int k = ARG_I(17);
  /* Output columns [lo, hi) whose whole window is inside the input; tiles of four when the outputs allow. */
  const int lo = imin(ow, (pl + sw - 1) / sw), last = w - kw + pl;
  const int hi = last < 0 ? lo : imax(lo, imin(ow, last / sw + 1));
  const int tiles = k % 8 ? 0 : (hi - lo) / 4, mid = lo + 4 * tiles;
  for (int row; (row = claim(job)) < n * oh;) {
    const int img = row / oh, y0 = (row % oh) * sh - pt;
    const int a0 = firstTap(y0, 1, kh), a1 = endTap(y0, 1, kh, h, a0);
    const float *xi = x + img * h * w * c;
    float *out = y + row * ow * k;
    smallPixels(xi, f, bias, out, 0, lo, y0, a0, a1, w, c, kw, sw, pl, k, act);
    for (int t = 0; t < tiles; t++)
      for (int q = 0; q < k; q += 8) smallTile(xi, f, bias, out, lo + 4 * t, q, y0, a0, a1, w, c, kw, sw, pl, k, act);
    smallPixels(xi, f, bias, out, mid, ow, y0, a0, a1, w, c, kw, sw, pl, k, act);
  }
}
