/*
 * Register-blocked matrix-product micro-kernels: a block of 4 (or 2, or 1) rows by 8 columns of C, accumulated over
 * a depth of `k` in SIMD registers (8 four-float accumulators for 4x8), then stored or added to C. 4x8 is the
 * largest block whose accumulators, B row and broadcasts V8 keeps in the 14 SIMD registers it allocates on x64
 * (6x8 spills three accumulators to the stack every step).
 *
 * A's element (row r, depth i) is at a[r * ars + i * aks], so one kernel serves A and its transpose; B's row i
 * (8 floats) is at b[i * bks]: bks = 8 for a packed panel, the row length for an unpacked B. C's row r is at
 * c + r * ldc. Called with constant strides, each call site compiles to a kernel specialised for them.
 */
#ifndef TL_GEMM_H
#define TL_GEMM_H
#include "common.h"

#define ROW_MADD(n)                                  \
  {                                                  \
    v128_t x = wasm_v128_load32_splat(a##n);         \
    c##n##0 = MADD(x, b0, c##n##0);                  \
    c##n##1 = MADD(x, b1, c##n##1);                  \
    a##n += aks;                                     \
  }
#define ROW_OUT(n)                                                                                    \
  if (acc) {                                                                                          \
    c##n##0 = V_ADD(c##n##0, V_LD(c + n * ldc));                                                       \
    c##n##1 = V_ADD(c##n##1, V_LD(c + n * ldc + 4));                                                   \
  }                                                                                                   \
  V_ST(c + n * ldc, c##n##0);                                                                         \
  V_ST(c + n * ldc + 4, c##n##1);

/** C[4][8] = (acc ? C : 0) + A[4][k] B[k][8]. */
static inline __attribute__((always_inline)) void mk4x8(const float *a, int ars, int aks, const float *b, int bks, int k,
                                                        float *c, int ldc, int acc) {
  v128_t c00 = V_ZERO, c01 = V_ZERO, c10 = V_ZERO, c11 = V_ZERO, c20 = V_ZERO, c21 = V_ZERO, c30 = V_ZERO, c31 = V_ZERO;
  const float *a0 = a, *a1 = a + ars, *a2 = a + 2 * ars, *a3 = a + 3 * ars;
  for (int i = 0; i < k; i++) {
    v128_t b0 = V_LD(b), b1 = V_LD(b + 4);
    b += bks;
    ROW_MADD(0) ROW_MADD(1) ROW_MADD(2) ROW_MADD(3)
  }
  ROW_OUT(0) ROW_OUT(1) ROW_OUT(2) ROW_OUT(3)
}

/** C[2][8] = (acc ? C : 0) + A[2][k] B[k][8] (rows left over after blocks of 4). */
static inline __attribute__((always_inline)) void mk2x8(const float *a, int ars, int aks, const float *b, int bks, int k,
                                                        float *c, int ldc, int acc) {
  v128_t c00 = V_ZERO, c01 = V_ZERO, c10 = V_ZERO, c11 = V_ZERO;
  const float *a0 = a, *a1 = a + ars;
  for (int i = 0; i < k; i++) {
    v128_t b0 = V_LD(b), b1 = V_LD(b + 4);
    b += bks;
    ROW_MADD(0) ROW_MADD(1)
  }
  ROW_OUT(0) ROW_OUT(1)
}

/** C[1][8] = (acc ? C : 0) + A[1][k] B[k][8] (the row left over). */
static inline __attribute__((always_inline)) void mk1x8(const float *a, int aks, const float *b, int bks, int k, float *c,
                                                        int acc) {
  v128_t c00 = V_ZERO, c01 = V_ZERO;
  const float *a0 = a;
  const int ldc = 0;
  for (int i = 0; i < k; i++) {
    v128_t b0 = V_LD(b), b1 = V_LD(b + 4);
    b += bks;
    ROW_MADD(0)
  }
  ROW_OUT(0)
}

/**
 * C[rows][8] for any rows: blocks of 4, then one block of 2 and a single row. A's rows start `ars` apart, and C's
 * `ldc` apart.
 */
static inline __attribute__((always_inline)) void mk_rows(int rows, const float *a, int ars, int aks, const float *b,
                                                          int bks, int k, float *c, int ldc, int acc) {
  int r = 0;
  for (; r + 4 <= rows; r += 4) mk4x8(a + r * ars, ars, aks, b, bks, k, c + r * ldc, ldc, acc);
  if (r + 2 <= rows) {
    mk2x8(a + r * ars, ars, aks, b, bks, k, c + r * ldc, ldc, acc);
    r += 2;
  }
  if (r < rows) mk1x8(a + r * ars, aks, b, bks, k, c + r * ldc, acc);
}

#endif
