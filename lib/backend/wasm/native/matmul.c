/*
 * Batched matrix product C[b] = op(A[b]) op(B[b]) with either operand transposed (dense layers and their
 * gradients). Both operands are first packed, so that every layout reads the same way and no strided access
 * thrashes the cache: B into panels of 8 columns ([b][N/8][K][8]), A into panels of 4 rows ([b][M/4][K][4]), both
 * zero-padded. Each block of rows and panels of C is one chunk, its sums taken over K in order.
 */
#include "gemm.h"

/* Arguments: 0 B; 1 packed B; 2 batches; 3 K; 4 N; 5 transposed; 6 B batch stride (floats; 0 broadcasts). */
KERNEL(matmul_pack_b) {
  const float *b = ARG_P(0);
  float *bp = ARG_P(1);
  const int batches = ARG_I(2), k = ARG_I(3), n = ARG_I(4), trans = ARG_I(5), bstride = ARG_I(6);
  const int panels = (n + 7) / 8;
  for (int ch; (ch = claim(job)) < batches * panels;) {
    const int bi = ch / panels, p = ch % panels, n0 = p * 8, cols = imin(8, n - n0);
    const float *src = b + bi * bstride;
    float *dst = bp + (bi * panels + p) * k * 8;
    for (int i = 0; i < k; i++) {
      float *row = dst + i * 8;
      if (!trans && cols == 8) {
        V_ST(row, V_LD(src + i * n + n0));
        V_ST(row + 4, V_LD(src + i * n + n0 + 4));
        continue;
      }
      for (int j = 0; j < 8; j++) row[j] = j < cols ? (trans ? src[(n0 + j) * k + i] : src[i * n + n0 + j]) : 0.0f;
    }
  }
}

/* Arguments: 0 A; 1 packed A [batches][M/4][K][4]; 2 batches; 3 M; 4 K; 5 transposed. One chunk per 64 rows. */
KERNEL(matmul_pack_a) {
  const float *a = ARG_P(0);
  float *ap = ARG_P(1);
  const int batches = ARG_I(2), m = ARG_I(3), k = ARG_I(4), ta = ARG_I(5), groups = (m + 3) / 4, blocks = (groups + 15) / 16;
  const int ars = ta ? 1 : k, aks = ta ? m : 1;
  for (int ch; (ch = claim(job)) < batches * blocks;) {
    const int bi = ch / blocks, g0 = (ch % blocks) * 16;
    for (int g = g0 * 4; g < imin(groups, g0 + 16) * 4; g += 4) {
      const int n = imin(4, m - g);
      const float *src = a + bi * m * k + g * ars;
      float *dst = ap + bi * groups * 4 * k + g * k;
      if (ta && n == 4) {
        for (int i = 0; i < k; i++) wasm_v128_store(dst + i * 4, wasm_v128_load(src + i * aks));
        continue;
      }
      for (int i = 0; i < k; i++) for (int r = 0; r < 4; r++) dst[i * 4 + r] = r < n ? src[r * ars + i * aks] : 0.0f;
    }
  }
}

/*
 * Arguments: 0 packed A; 1 packed B; 2 C [batches][M][N]; 3 batches; 4 M; 5 K; 6 N; 7 packed-A batch stride
 * (floats; 0 broadcasts); 8 packed-B batch stride (0 broadcasts); 9 rows per chunk (a multiple of 4); 10 panels
 * per chunk; 11 scratch (32 floats per thread); 12 scratch floats per thread.
 */
KERNEL(matmul) {
  const float *ap = ARG_P(0), *bp = ARG_P(1);
  float *c = ARG_P(2);
  const int batches = ARG_I(3), m = ARG_I(4), k = ARG_I(5), n = ARG_I(6), astride = ARG_I(7), bstride = ARG_I(8);
  const int rb = ARG_I(9), pb = ARG_I(10);
  float *tmp = ARG_P(11) + tid * ARG_I(12);
  const int panels = (n + 7) / 8, nrb = (m + rb - 1) / rb, npb = (panels + pb - 1) / pb;
  for (int ch; (ch = claim(job)) < batches * nrb * npb;) {
    const int bi = ch / (nrb * npb), m0 = ((ch / npb) % nrb) * rb, p0 = (ch % npb) * pb;
    const int rows = imin(rb, m - m0);
    const float *ab = ap + bi * astride + m0 * k;
    for (int p = p0; p < imin(panels, p0 + pb); p++) {
      const float *b = bp + bi * bstride + p * k * 8;
      float *out = c + (bi * m + m0) * n + p * 8;
      const int cols = imin(8, n - p * 8);
      for (int g = 0; g < rows; g += 4) {
        const int r = imin(4, rows - g);
        if (cols == 8) {
          mk_rows(r, ab + g * k, 1, 4, b, 8, k, out + g * n, n, 0);
          continue;
        }
        mk_rows(r, ab + g * k, 1, 4, b, 8, k, tmp, 8, 0);
        for (int i = 0; i < r; i++) for (int j = 0; j < cols; j++) out[(g + i) * n + j] = tmp[i * 8 + j];
      }
    }
  }
}
