/*
 * The gradients of depthwise convolutions (any window) with channel multiplier 1 (MobileNet), NHWC, on all threads:
 * the input gradient (gathered, so that each dx element is one chunk's) and the filter gradient (per-image partial
 * sums added in image order). Four channels at a time. (The forward convolution stays XNNPACK's, which is as fast.)
 */
#include "common.h"

typedef struct {
  int n, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
} Dw;

#define DW_GEO(first)                                                                                           \
  Dw g = {ARG_I(first), ARG_I(first + 1), ARG_I(first + 2), ARG_I(first + 3), ARG_I(first + 4), ARG_I(first + 5), \
          ARG_I(first + 6), ARG_I(first + 7), ARG_I(first + 8), ARG_I(first + 9), ARG_I(first + 10),              \
          ARG_I(first + 11), ARG_I(first + 12), ARG_I(first + 13)}

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
