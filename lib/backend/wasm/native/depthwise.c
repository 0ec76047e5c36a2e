/*
 * Depthwise 3x3 (any size) convolutions with channel multiplier 1 (MobileNet), NHWC, on all threads: the forward
 * convolution with bias and activation, the input gradient (gathered, so that each dx element is one chunk's)
 * and the filter gradient (per-image partial sums added in image order). Four channels at a time.
 */
#include "common.h"

typedef struct {
  int n, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
} Dw;

#define DW_GEO(first)                                                                                           \
  Dw g = {ARG_I(first), ARG_I(first + 1), ARG_I(first + 2), ARG_I(first + 3), ARG_I(first + 4), ARG_I(first + 5), \
          ARG_I(first + 6), ARG_I(first + 7), ARG_I(first + 8), ARG_I(first + 9), ARG_I(first + 10),              \
          ARG_I(first + 11), ARG_I(first + 12), ARG_I(first + 13)}

INLINE float act1(float v, int act) {
  if (act >= 1 && v < 0.0f) return 0.0f;
  if (act == 2 && v > 6.0f) return 6.0f;
  return v;
}

/*
 * Arguments: 0 x; 1 filter [KH][KW][C]; 2 bias [C] or 0; 3 y [N][OH][OW][C]; 4 activation (0 linear, 1 relu,
 * 2 relu6); 5.. geometry (N, H, W, C, OH, OW, KH, KW, stride h, stride w, dilation h, dilation w, pad top, pad left).
 * One chunk per output row.
 */
/* One output pixel, any window: the taps inside the image, four channels at a time. */
INLINE void dw_pixel(const Dw *g, const float *x, const float *f, const float *bias, float *out, int img, int oy, int ox, int act) {
  int c = 0;
  for (; c + 4 <= g->c; c += 4) {
    v128_t acc = bias ? V_LD(bias + c) : V_ZERO;
    for (int a = 0; a < g->kh; a++) {
      const int iy = oy * g->sh + a * g->dh - g->pt;
      if (iy < 0 || iy >= g->h) continue;
      for (int b = 0; b < g->kw; b++) {
        const int ix = ox * g->sw + b * g->dw - g->pl;
        if (ix < 0 || ix >= g->w) continue;
        acc = MADD(V_LD(x + ((img * g->h + iy) * g->w + ix) * g->c + c), V_LD(f + (a * g->kw + b) * g->c + c), acc);
      }
    }
    V_ST(out + c, activate(acc, act));
  }
  for (; c < g->c; c++) {
    float acc = bias ? bias[c] : 0.0f;
    for (int a = 0; a < g->kh; a++) {
      const int iy = oy * g->sh + a * g->dh - g->pt;
      if (iy < 0 || iy >= g->h) continue;
      for (int b = 0; b < g->kw; b++) {
        const int ix = ox * g->sw + b * g->dw - g->pl;
        if (ix >= 0 && ix < g->w) acc += x[((img * g->h + iy) * g->w + ix) * g->c + c] * f[(a * g->kw + b) * g->c + c];
      }
    }
    out[c] = act1(acc, act);
  }
}

#define TAP(t, p) acc = MADD(V_LD((p) + c), V_LD(f + (t) * g.c + c), acc);

/*
 * Arguments: 0 x; 1 filter [KH][KW][C]; 2 bias [C] or 0; 3 y [N][OH][OW][C]; 4 activation (0 linear, 1 relu,
 * 2 relu6); 5.. geometry (N, H, W, C, OH, OW, KH, KW, stride h, stride w, dilation h, dilation w, pad top, pad left).
 * One chunk per output row; 3x3 windows inside the image take a path with the nine taps unrolled.
 */
KERNEL(dw_conv) {
  const float *x = ARG_P(0), *f = ARG_P(1), *bias = ARG_P(2);
  float *y = ARG_P(3);
  const int act = ARG_I(4);
  DW_GEO(5);
  const int fast = g.kh == 3 && g.kw == 3 && g.c % 4 == 0;
  for (int row; (row = claim(job)) < g.n * g.oh;) {
    const int img = row / g.oh, oy = row % g.oh, iy = oy * g.sh - g.pt;
    const int rows_in = iy >= 0 && iy + 2 * g.dh < g.h;
    for (int ox = 0; ox < g.ow; ox++) {
      float *out = y + (row * g.ow + ox) * g.c;
      const int ix = ox * g.sw - g.pl;
      if (!fast || !rows_in || ix < 0 || ix + 2 * g.dw >= g.w) {
        dw_pixel(&g, x, f, bias, out, img, oy, ox, act);
        continue;
      }
      const int rs = g.dh * g.w * g.c, cs = g.dw * g.c;
      const float *p0 = x + ((img * g.h + iy) * g.w + ix) * g.c, *p1 = p0 + rs, *p2 = p1 + rs;
      for (int c = 0; c < g.c; c += 4) {
        v128_t acc = bias ? V_LD(bias + c) : V_ZERO;
        TAP(0, p0) TAP(1, p0 + cs) TAP(2, p0 + 2 * cs)
        TAP(3, p1) TAP(4, p1 + cs) TAP(5, p1 + 2 * cs)
        TAP(6, p2) TAP(7, p2 + cs) TAP(8, p2 + 2 * cs)
        V_ST(out + c, activate(acc, act));
      }
    }
  }
}

/*
 * Arguments: 0 dy [N][OH][OW][C]; 1 filter [KH][KW][C]; 2 dx [N][H][W][C]; 3 unused; 4 unused; 5.. geometry.
 * One chunk per row of dx: every output position whose window covers the pixel, in tap order.
 */
KERNEL(dw_conv_dx) {
  const float *dy = ARG_P(0), *f = ARG_P(1);
  float *dx = ARG_P(2);
  DW_GEO(5);
  for (int row; (row = claim(job)) < g.n * g.h;) {
    const int img = row / g.h, iy = row % g.h;
    for (int ix = 0; ix < g.w; ix++) {
      float *out = dx + (row * g.w + ix) * g.c;
      for (int c = 0; c < g.c; c++) out[c] = 0.0f;
      for (int a = 0; a < g.kh; a++) {
        const int ty = iy + g.pt - a * g.dh;
        if (ty < 0 || ty % g.sh || ty / g.sh >= g.oh) continue;
        for (int b = 0; b < g.kw; b++) {
          const int tx = ix + g.pl - b * g.dw;
          if (tx < 0 || tx % g.sw || tx / g.sw >= g.ow) continue;
          const float *src = dy + ((img * g.oh + ty / g.sh) * g.ow + tx / g.sw) * g.c, *w = f + (a * g.kw + b) * g.c;
          int c = 0;
          for (; c + 4 <= g.c; c += 4) V_ST(out + c, MADD(V_LD(src + c), V_LD(w + c), V_LD(out + c)));
          for (; c < g.c; c++) out[c] += src[c] * w[c];
        }
      }
    }
  }
}

/*
 * Arguments: 0 x; 1 dy; 2 partials [N][KH*KW][C]; 3 unused; 4 unused; 5.. geometry. One chunk per image; the
 * partials are added by dw_conv_dw_sum.
 */
KERNEL(dw_conv_dw) {
  const float *x = ARG_P(0), *dy = ARG_P(1);
  float *part = ARG_P(2);
  DW_GEO(5);
  const int taps = g.kh * g.kw;
  for (int img; (img = claim(job)) < g.n;) {
    float *acc = part + img * taps * g.c;
    for (int i = 0; i < taps * g.c; i++) acc[i] = 0.0f;
    for (int oy = 0; oy < g.oh; oy++) {
      for (int ox = 0; ox < g.ow; ox++) {
        const float *gy = dy + ((img * g.oh + oy) * g.ow + ox) * g.c;
        for (int a = 0; a < g.kh; a++) {
          const int iy = oy * g.sh + a * g.dh - g.pt;
          if (iy < 0 || iy >= g.h) continue;
          for (int b = 0; b < g.kw; b++) {
            const int ix = ox * g.sw + b * g.dw - g.pl;
            if (ix < 0 || ix >= g.w) continue;
            const float *src = x + ((img * g.h + iy) * g.w + ix) * g.c;
            float *t = acc + (a * g.kw + b) * g.c;
            int c = 0;
            for (; c + 4 <= g.c; c += 4) V_ST(t + c, MADD(V_LD(src + c), V_LD(gy + c), V_LD(t + c)));
            for (; c < g.c; c++) t[c] += src[c] * gy[c];
          }
        }
      }
    }
  }
}

/* Arguments: 0 partials [N][R]; 1 out [R]; 2 N; 3 R. One chunk per 256 outputs. */
KERNEL(sum_partials) {
  const float *part = ARG_P(0);
  float *out = ARG_P(1);
  const int n = ARG_I(2), r = ARG_I(3), chunks = (r + 255) / 256;
  for (int ch; (ch = claim(job)) < chunks;) {
    for (int j = ch * 256; j < imin(r, ch * 256 + 256); j++) {
      float sum = 0.0f;
      for (int i = 0; i < n; i++) sum += part[i * r + j];
      out[j] = sum;
    }
  }
}
