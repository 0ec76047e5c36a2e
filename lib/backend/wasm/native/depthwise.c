/*
 * Depthwise convolutions (any window) with channel multiplier 1 (MobileNet), NHWC, on all threads: the forward
 * convolution with bias and activation (each output pixel summed in registers), the input gradient (gathered, so
 * that each dx element is one chunk's) and the filter gradient (per-image partial sums added in image order). Four
 * channels at a time.
 */
#include "common.h"

typedef struct {
  int n, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl;
} Dw;

#define DW_GEO(first)                                                                                           \
  Dw g = {ARG_I(first), ARG_I(first + 1), ARG_I(first + 2), ARG_I(first + 3), ARG_I(first + 4), ARG_I(first + 5), \
          ARG_I(first + 6), ARG_I(first + 7), ARG_I(first + 8), ARG_I(first + 9), ARG_I(first + 10),              \
          ARG_I(first + 11), ARG_I(first + 12), ARG_I(first + 13)}

/* A scalar output activation (as `activate`; NaN passes through). */
INLINE float activate1(float v, int act) {
  if (act == 0) return v;
  v = v < 0.0f ? 0.0f : v;
  return act == 2 && v > 6.0f ? 6.0f : v;
}

/*
 * Output pixels [lo, hi) of one row of a 3x3 window whose taps are all inside (r0..r2: the window's input rows;
 * dwc: floats between taps), C a multiple of 4: one channel block at a time, its nine weights in registers.
 */
INLINE void dwRow3x3(const float *r0, const float *r1, const float *r2, const float *f, const float *bias, float *out,
                     int lo, int hi, const Dw g, int act) {
  const int C = g.c, dwc = g.dw * g.c, step = g.sw * g.c;
  for (int k = 0; k < C; k += 4) {
    const v128_t w0 = V_LD(f + k), w1 = V_LD(f + C + k), w2 = V_LD(f + 2 * C + k);
    const v128_t w3 = V_LD(f + 3 * C + k), w4 = V_LD(f + 4 * C + k), w5 = V_LD(f + 5 * C + k);
    const v128_t w6 = V_LD(f + 6 * C + k), w7 = V_LD(f + 7 * C + k), w8 = V_LD(f + 8 * C + k);
    const v128_t b = bias ? V_LD(bias + k) : V_ZERO;
    const int at = (lo * g.sw - g.pl) * C + k;
    const float *p0 = r0 + at, *p1 = r1 + at, *p2 = r2 + at;
    float *o = out + lo * C + k;
    for (int ox = lo; ox < hi; ox++, p0 += step, p1 += step, p2 += step, o += C) {
      v128_t acc = MADD(V_LD(p0), w0, b);
      acc = MADD(V_LD(p0 + dwc), w1, acc);
      acc = MADD(V_LD(p0 + 2 * dwc), w2, acc);
      acc = MADD(V_LD(p1), w3, acc);
      acc = MADD(V_LD(p1 + dwc), w4, acc);
      acc = MADD(V_LD(p1 + 2 * dwc), w5, acc);
      acc = MADD(V_LD(p2), w6, acc);
      acc = MADD(V_LD(p2 + dwc), w7, acc);
      acc = MADD(V_LD(p2 + 2 * dwc), w8, acc);
      V_ST(o, activate(acc, act));
    }
  }
}

/* Output pixels [lo, hi) of one row (input rows from y0, taps [a0, a1) inside), any window: pixel by pixel. */
INLINE void dwRowAny(const float *xi, const float *f, const float *bias, float *out, int lo, int hi, int y0, int a0,
                     int a1, const Dw g, int act) {
  for (int ox = lo; ox < hi; ox++) {
    const int x0 = ox * g.sw - g.pl;
    const int b0 = firstTap(x0, g.dw, g.kw), b1 = endTap(x0, g.dw, g.kw, g.w, b0);
    float *o = out + ox * g.c;
    int c = 0;
    for (; c + 4 <= g.c; c += 4) {
      v128_t acc = bias ? V_LD(bias + c) : V_ZERO;
      for (int a = a0; a < a1; a++) {
        const float *src = xi + ((y0 + a * g.dh) * g.w + x0) * g.c + c, *w = f + a * g.kw * g.c + c;
        for (int b = b0; b < b1; b++) acc = MADD(V_LD(src + b * g.dw * g.c), V_LD(w + b * g.c), acc);
      }
      V_ST(o + c, activate(acc, act));
    }
    for (; c < g.c; c++) {
      float acc = bias ? bias[c] : 0.0f;
      for (int a = a0; a < a1; a++)
        for (int b = b0; b < b1; b++)
          acc += xi[((y0 + a * g.dh) * g.w + x0 + b * g.dw) * g.c + c] * f[(a * g.kw + b) * g.c + c];
      o[c] = activate1(acc, act);
    }
  }
}

/*
 * Arguments: 0 x [N][H][W][C]; 1 filter [KH][KW][C]; 2 y [N][OH][OW][C]; 3 bias [C] (0: none); 4 activation (0
 * linear, 1 relu, 2 relu6); 5.. geometry. One chunk per output row; each output is the bias plus its taps inside
 * the input, in tap order, four channels at a time in registers (3x3 windows inside the input: nine weights held).
 */
KERNEL(dw_conv) {
  const float *x = ARG_P(0), *f = ARG_P(1), *bias = ARG_P(3);
  float *y = ARG_P(2);
  const int act = ARG_I(4);
  DW_GEO(5);
  /* Output columns [lo, hi) whose whole window is inside the input. */
  const int lo = imin(g.ow, (g.pl + g.sw - 1) / g.sw);
  const int span = g.w - 1 - (g.kw - 1) * g.dw + g.pl;
  const int hi = span < 0 ? lo : imax(lo, imin(g.ow, span / g.sw + 1));
  const int fast = g.kh == 3 && g.kw == 3 && g.c % 4 == 0;
  for (int row; (row = claim(job)) < g.n * g.oh;) {
    const int img = row / g.oh, y0 = (row % g.oh) * g.sh - g.pt;
    const int a0 = firstTap(y0, g.dh, g.kh), a1 = endTap(y0, g.dh, g.kh, g.h, a0);
    const float *xi = x + img * g.h * g.w * g.c;
    float *out = y + row * g.ow * g.c;
    if (fast && a0 == 0 && a1 == 3) {
      const float *r0 = xi + y0 * g.w * g.c, *r1 = r0 + g.dh * g.w * g.c, *r2 = r1 + g.dh * g.w * g.c;
      dwRowAny(xi, f, bias, out, 0, lo, y0, a0, a1, g, act);
      dwRow3x3(r0, r1, r2, f, bias, out, lo, hi, g, act);
      dwRowAny(xi, f, bias, out, hi, g.ow, y0, a0, a1, g, act);
    } else {
      dwRowAny(xi, f, bias, out, 0, g.ow, y0, a0, a1, g, act);
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
