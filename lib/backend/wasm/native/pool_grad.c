/*
 * MaxPoolGrad: each output window sends its dy to the window's first strict maximum (taps in row-major order,
 * starting from -infinity, so a window of NaN or -infinity sends nothing), adding where windows overlap. One chunk
 * per image and block of channels: windows never cross them, so every dx element is written by one chunk, in
 * window order.
 */
#include "common.h"

#define LANE_ADD(l)                                                        \
  {                                                                        \
    const int at_ = wasm_i32x4_extract_lane(at, l);                        \
    if (at_ >= 0) dx[at_ + cc + l] += wasm_f32x4_extract_lane(g, l);       \
  }

/*
 * Arguments: 0 x [N][H][W][C]; 1 dy [N][OH][OW][C]; 2 dx [N][H][W][C]; 3 N; 4 H; 5 W; 6 C; 7 OH; 8 OW; 9 window
 * height; 10 window width; 11 stride height; 12 stride width; 13 pad top; 14 pad left; 15 channels per chunk.
 */
KERNEL(max_pool_grad) {
  const int n = ARG_I(3), h = ARG_I(4), w = ARG_I(5), c = ARG_I(6), oh = ARG_I(7), ow = ARG_I(8);
  const int kh = ARG_I(9), kw = ARG_I(10), sh = ARG_I(11), sw = ARG_I(12), pt = ARG_I(13), pl = ARG_I(14), cb = ARG_I(15);
  const int blocks = (c + cb - 1) / cb;
  for (int ch; (ch = claim(job)) < n * blocks;) {
    const int img = ch / blocks, c0 = (ch % blocks) * cb, c1 = imin(c, c0 + cb);
    const float *x = ARG_P(0) + img * h * w * c, *dy = ARG_P(1) + img * oh * ow * c;
    float *dx = ARG_P(2) + img * h * w * c;
    for (int p = 0; p < h * w; p++) for (int cc = c0; cc < c1; cc++) dx[p * c + cc] = 0.0f;
    for (int oy = 0; oy < oh; oy++) {
      const int y0 = oy * sh - pt, ky0 = imax(0, -y0), ky1 = imin(kh, h - y0);
      for (int ox = 0; ox < ow; ox++) {
        const int x0 = ox * sw - pl, kx0 = imax(0, -x0), kx1 = imin(kw, w - x0);
        const float *gy = dy + (oy * ow + ox) * c;
        int cc = c0;
        for (; cc + 4 <= c1; cc += 4) {
          v128_t best = V_SPLAT(-__builtin_inff()), at = wasm_i32x4_splat(-1);
          for (int ky = ky0; ky < ky1; ky++) {
            for (int kx = kx0; kx < kx1; kx++) {
              const int off = ((y0 + ky) * w + x0 + kx) * c;
              const v128_t v = V_LD(x + off + cc), gt = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, gt);
              at = wasm_v128_bitselect(wasm_i32x4_splat(off), at, gt);
            }
          }
          const v128_t g = V_LD(gy + cc);
          LANE_ADD(0) LANE_ADD(1) LANE_ADD(2) LANE_ADD(3)
        }
        for (; cc < c1; cc++) {
          float best = -__builtin_inff();
          int at = -1;
          for (int ky = ky0; ky < ky1; ky++) {
            for (int kx = kx0; kx < kx1; kx++) {
              const int off = ((y0 + ky) * w + x0 + kx) * c;
              if (x[off + cc] > best) {
                best = x[off + cc];
                at = off;
              }
            }
          }
          if (at >= 0) dx[at + cc] += gy[cc];
        }
      }
    }
  }
}
