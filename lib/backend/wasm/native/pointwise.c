/*
 * 1x1 convolutions (MobileNet's pointwise layers): y [P][K] = x [P][C] w [C][K] + bias, then the activation, with
 * x read in place (its rows are only C floats apart) and w packed into panels of 8 outputs once per filter. Each
 * chunk is a block of pixels: its products, then bias and activation while the block is in cache.
 */
#include "gemm.h"

/*
 * Arguments: 0 x [P][C]; 1 packed w [K/8][C][8]; 2 bias [K] or 0; 3 y [P][K]; 4 P; 5 C; 6 K (a multiple of 4);
 * 7 activation (0 linear, 1 relu, 2 relu6); 8 pixels per chunk; 9 scratch; 10 scratch floats per thread (pixels per
 * chunk x 8).
 */
KERNEL(conv1x1) {
  const float *x = ARG_P(0), *w = ARG_P(1), *bias = ARG_P(2);
  float *y = ARG_P(3);
  const int p = ARG_I(4), c = ARG_I(5), k = ARG_I(6), act = ARG_I(7), per = ARG_I(8);
  float *tmp = ARG_P(9) + tid * ARG_I(10);
  const int panels = (k + 7) / 8, chunks = (p + per - 1) / per;
  for (int ch; (ch = claim(job)) < chunks;) {
    const int m0 = ch * per, rows = imin(per, p - m0);
    float *out = y + m0 * k;
    for (int pn = 0; pn < panels; pn++) {
      const float *b = w + pn * c * 8;
      if (pn * 8 + 8 <= k) {
        mk_rows(rows, x + m0 * c, c, 1, b, 8, c, out + pn * 8, k, 0);
        continue;
      }
      mk_rows(rows, x + m0 * c, c, 1, b, 8, c, tmp, 8, 0);
      for (int r = 0; r < rows; r++) V_ST(out + r * k + pn * 8, V_LD(tmp + r * 8));
    }
    if (!bias && act == 0) continue;
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < k; j += 4) {
        v128_t v = V_LD(out + r * k + j);
        if (bias) v = V_ADD(v, V_LD(bias + j));
        V_ST(out + r * k + j, activate(v, act));
      }
    }
  }
}
