/*
 * Per-channel affine maps and padding, on all threads: batch normalisation in inference (y = (x - m) a + b per
 * channel, a = scale / sqrt(variance + epsilon) folded by the caller) and constant padding of an NHWC tensor (MobileNet's
 * ZeroPadding2D). Each chunk writes its own rows of the output.
 */
#include "common.h"

/* Arguments: 0 x [rows][C]; 1 out; 2 rows; 3 C; 4 a [C]; 5 b [C]; 6 rows per chunk; 7 m [C]. */
KERNEL(channel_affine) {
  const float *x = ARG_P(0), *a = ARG_P(4), *b = ARG_P(5), *m = ARG_P(7);
  float *out = ARG_P(1);
  const int rows = ARG_I(2), c = ARG_I(3), per = ARG_I(6), chunks = (rows + per - 1) / per;
  for (int ch; (ch = claim(job)) < chunks;) {
    for (int r = ch * per; r < imin(rows, (ch + 1) * per); r++) {
      const float *src = x + r * c;
      float *dst = out + r * c;
      int j = 0;
      for (; j + 4 <= c; j += 4) V_ST(dst + j, MADD(V_SUB(V_LD(src + j), V_LD(m + j)), V_LD(a + j), V_LD(b + j)));
      for (; j < c; j++) dst[j] = (src[j] - m[j]) * a[j] + b[j];
    }
  }
}

INLINE void fill(float *p, int n, float v) {
  const v128_t vv = V_SPLAT(v);
  int i = 0;
  for (; i + 4 <= n; i += 4) V_ST(p + i, vv);
  for (; i < n; i++) p[i] = v;
}

INLINE void copy(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) V_ST(dst + i, V_LD(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

/*
 * Arguments: 0 x [N][H][W][C]; 1 out [N'][H'][W'][C']; 2 N; 3 H; 4 W; 5 C; 6 pad before N; 7 before H; 8 before W;
 * 9 before C; 10 N'; 11 H'; 12 W'; 13 C'; 14 the constant (float). One chunk per output row (n', h').
 */
KERNEL(pad4d) {
  const float *x = ARG_P(0);
  float *out = ARG_P(1);
  const int n = ARG_I(2), h = ARG_I(3), w = ARG_I(4), c = ARG_I(5), pn = ARG_I(6), ph = ARG_I(7), pw = ARG_I(8);
  const int pc = ARG_I(9), on = ARG_I(10), oh = ARG_I(11), ow = ARG_I(12), oc = ARG_I(13);
  const float v = ARG_F(14);
  for (int row; (row = claim(job)) < on * oh;) {
    const int i = row / oh - pn, y = row % oh - ph;
    float *dst = out + row * ow * oc;
    if (i < 0 || i >= n || y < 0 || y >= h) {
      fill(dst, ow * oc, v);
      continue;
    }
    const float *src = x + (i * h + y) * w * c;
    fill(dst, pw * oc, v);
    if (c == oc) {
      copy(dst + pw * oc, src, w * c);
    } else {
      for (int xx = 0; xx < w; xx++) {
        float *d = dst + (pw + xx) * oc;
        fill(d, pc, v);
        copy(d + pc, src + xx * c, c);
        fill(d + pc + c, oc - pc - c, v);
      }
    }
    fill(dst + (pw + w) * oc, (ow - pw - w) * oc, v);
  }
}

/*
 * Arguments: 0 x [N][H][W][C]; 1 out [N rn][H rh][W rw][C rc]; 2 N; 3 H; 4 W; 5 C; 6 rn; 7 rh; 8 rw; 9 rc; 10 output
 * rows per chunk. Each output row (n', h', w') is input row (n' mod N, h' mod H, w' mod W) repeated rc times.
 */
KERNEL(tile4d) {
  const float *x = ARG_P(0);
  float *out = ARG_P(1);
  const int n = ARG_I(2), h = ARG_I(3), w = ARG_I(4), c = ARG_I(5), rn = ARG_I(6), rh = ARG_I(7), rw = ARG_I(8);
  const int rc = ARG_I(9), per = ARG_I(10), oh = h * rh, ow = w * rw, rows = n * rn * oh * ow;
  for (int ch; (ch = claim(job)) < (rows + per - 1) / per;) {
    for (int row = ch * per; row < imin(rows, (ch + 1) * per); row++) {
      const int ox = row % ow, oy = (row / ow) % oh, on = row / (ow * oh);
      const float *src = x + (((on % n) * h + oy % h) * w + ox % w) * c;
      for (int r = 0; r < rc; r++) copy(out + (row * rc + r) * c, src, c);
    }
  }
}
