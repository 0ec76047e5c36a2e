/*
 * The filter gradient of a convolution with few input channels (the first layer of a network: 3 colour channels),
 * where Winograd does not apply: dW[r][k] = Σ over images and output pixels of patch[r] · dy[k], r running over the
 * filter taps and input channels (R = KH·KW·C rows). Each image is one chunk: for every output row its patches
 * are copied into the thread's scratch ([OW][R4], R rounded up to 4; zeros where the window leaves the image), then
 * multiplied into the image's partial sums [R][K8]; a second kernel adds the images' partials in order.
 */
#include "gemm.h"

/*
 * Arguments: 0 x [N][H][W][C]; 1 dy [N][OH][OW][K]; 2 partials [N][R][K8]; 3 N; 4 H; 5 W; 6 C; 7 OH; 8 OW; 9 K;
 * 10 KH; 11 KW; 12 stride h; 13 stride w; 14 dilation h; 15 dilation w; 16 pad top; 17 pad left; 18 scratch;
 * 19 scratch floats per thread (OW x (R4 + 8)).
 */
KERNEL(conv_dw_patches) {
  const float *x = ARG_P(0), *dy = ARG_P(1);
  float *part = ARG_P(2);
  const int n = ARG_I(3), h = ARG_I(4), w = ARG_I(5), c = ARG_I(6), oh = ARG_I(7), ow = ARG_I(8), k = ARG_I(9);
  const int kh = ARG_I(10), kw = ARG_I(11), sh = ARG_I(12), sw = ARG_I(13), dh = ARG_I(14), dw = ARG_I(15);
  const int pt = ARG_I(16), pl = ARG_I(17);
  float *cols = ARG_P(18) + tid * ARG_I(19);
  const int r = kh * kw * c, r4 = (r + 3) & ~3, k8 = (k + 7) & ~7;
  float *bt = cols + ow * r4; /* one dy row block of 8 columns when K is not a multiple of 8 */
  for (int img; (img = claim(job)) < n;) {
    float *acc = part + img * r * k8;
    for (int i = 0; i < r * k8; i++) acc[i] = 0.0f;
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        float *col = cols + ox * r4;
        for (int a = 0; a < kh; a++) {
          const int iy = oy * sh + a * dh - pt;
          for (int b = 0; b < kw; b++) {
            const int ix = ox * sw + b * dw - pl;
            const int ok = iy >= 0 && iy < h && ix >= 0 && ix < w;
            const float *src = x + ((img * h + iy) * w + ix) * c;
            for (int ch = 0; ch < c; ch++) col[(a * kw + b) * c + ch] = ok ? src[ch] : 0.0f;
          }
        }
      }
      const float *g = dy + (img * oh + oy) * ow * k;
      for (int p = 0; p < k8; p += 8) {
        if (p + 8 <= k) {
          mk_rows(r, cols, 1, r4, g + p, k, ow, acc + p, k8, 1);
          continue;
        }
        for (int ox = 0; ox < ow; ox++) for (int j = 0; j < 8; j++) bt[ox * 8 + j] = p + j < k ? g[ox * k + p + j] : 0.0f;
        mk_rows(r, cols, 1, r4, bt, 8, ow, acc + p, k8, 1);
      }
    }
  }
}

/* Arguments: 0 partials [N][R][K8]; 1 dW [R][K]; 2 N; 3 R; 4 K. One chunk per row of dW. */
KERNEL(conv_dw_sum) {
  const float *part = ARG_P(0);
  float *out = ARG_P(1);
  const int n = ARG_I(2), r = ARG_I(3), k = ARG_I(4), k8 = (k + 7) & ~7;
  for (int row; (row = claim(job)) < r;) {
    for (int j = 0; j < k; j++) {
      float sum = 0.0f;
      for (int i = 0; i < n; i++) sum += part[(i * r + row) * k8 + j];
      out[row * k + j] = sum;
    }
  }
}
