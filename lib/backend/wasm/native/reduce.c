/*
 * Sums over leading axes (bias gradients): x viewed as [rows][C] summed to [C], in float64. Pass 1 sums fixed
 * segments of rows (one chunk each) into float64 partials [segments][C]; pass 2 adds the partials in segment order
 * (one chunk per block of columns). The order of additions never depends on the threads.
 */
#include "common.h"

/* Arguments: 0 x [rows][C]; 1 partials [segments][C] (float64); 2 rows; 3 C; 4 rows per segment. */
KERNEL(sum_rows_partial) {
  const float *x = ARG_P(0);
  double *part = (double *)ARG_P(1);
  const int rows = ARG_I(2), c = ARG_I(3), seg = ARG_I(4), segments = (rows + seg - 1) / seg;
  for (int s; (s = claim(job)) < segments;) {
    double *acc = part + s * c;
    const int r0 = s * seg, r1 = imin(rows, r0 + seg);
    int j = 0;
    for (; j + 4 <= c; j += 4) {
      v128_t lo = wasm_f64x2_splat(0.0), hi = wasm_f64x2_splat(0.0);
      for (int r = r0; r < r1; r++) {
        const v128_t v = V_LD(x + r * c + j);
        lo = wasm_f64x2_add(lo, wasm_f64x2_promote_low_f32x4(v));
        hi = wasm_f64x2_add(hi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
      }
      wasm_v128_store(acc + j, lo);
      wasm_v128_store(acc + j + 2, hi);
    }
    for (; j < c; j++) {
      double sum = 0.0;
      for (int r = r0; r < r1; r++) sum += x[r * c + j];
      acc[j] = sum;
    }
  }
}

/* Arguments: 0 partials [segments][C]; 1 out [C] (float32); 2 segments; 3 C; 4 columns per chunk. */
KERNEL(sum_rows_final) {
  const double *part = (const double *)ARG_P(0);
  float *out = ARG_P(1);
  const int segments = ARG_I(2), c = ARG_I(3), cb = ARG_I(4), blocks = (c + cb - 1) / cb;
  for (int b; (b = claim(job)) < blocks;) {
    for (int j = b * cb; j < imin(c, (b + 1) * cb); j++) {
      double sum = 0.0;
      for (int s = 0; s < segments; s++) sum += part[s * c + j];
      out[j] = (float)sum;
    }
  }
}
