/*
 * The Winograd F(4x4, 3x3) filter transform U = G g Gᵀ, packed for the matrix products of winograd_conv.c:
 * U[t][p][ci][8] holds component t (0..35) for input channel ci and output channels 8p..8p+7 (a panel).
 */
#include "winograd.h"

/* Stores component (i, j) = v for input channel ci and four output channels from co (a multiple of 4). */
#define STORE_U(i, j, v) store_u(u, (i) * 6 + (j), panels, cin, ci, co, flip, v)

INLINE void store_u(float *u, int t, int panels, int cin, int ci, int co, int flip, v128_t v) {
  if (!flip) {
    V_ST(u + (((t * panels + (co >> 3)) * cin + ci) << 3) + (co & 7), v);
    return;
  }
  /* Transposed: the four lanes are four input channels (ci..ci+3) of one output channel co. */
  float *p = u + (((t * panels + (co >> 3)) * cin + ci) << 3) + (co & 7);
  wasm_v128_store32_lane(p, v, 0);
  wasm_v128_store32_lane(p + 8, v, 1);
  wasm_v128_store32_lane(p + 16, v, 2);
  wasm_v128_store32_lane(p + 24, v, 3);
}

#define ROW_G(i)                                                   \
  {                                                                \
    v128_t r0, r1, r2, r3, r4, r5;                                 \
    WINO_G(t##i##0, t##i##1, t##i##2, r0, r1, r2, r3, r4, r5);     \
    STORE_U(i, 0, r0);                                             \
    STORE_U(i, 1, r1);                                             \
    STORE_U(i, 2, r2);                                             \
    STORE_U(i, 3, r3);                                             \
    STORE_U(i, 4, r4);                                             \
    STORE_U(i, 5, r5);                                             \
  }

/*
 * Arguments: 0 filter [3][3][C][K]; 1 U (zeroed by the caller where panels are partial); 2 C; 3 K; 4 flip.
 * flip = 0: U of the convolution by the filter (C inputs, K outputs). flip = 1: U of the convolution that gives
 * the input gradient (K inputs, C outputs; the filter turned by 180 degrees). One chunk per filter input channel.
 */
KERNEL(wino_filter) {
  const float *f = ARG_P(0);
  float *u = ARG_P(1);
  const int c = ARG_I(2), k = ARG_I(3), flip = ARG_I(4);
  const int cin = flip ? k : c, cout = flip ? c : k;
  const int panels = (cout + 7) >> 3;
  for (int ch; (ch = claim(job)) < c;) {
    for (int k4 = 0; k4 < k; k4 += 4) {
#define G_AT(a, b) V_LD(f + (((flip ? 8 - ((a) * 3 + (b)) : (a) * 3 + (b)) * c + ch) * k) + k4)
      v128_t g00 = G_AT(0, 0), g01 = G_AT(0, 1), g02 = G_AT(0, 2);
      v128_t g10 = G_AT(1, 0), g11 = G_AT(1, 1), g12 = G_AT(1, 2);
      v128_t g20 = G_AT(2, 0), g21 = G_AT(2, 1), g22 = G_AT(2, 2);
#undef G_AT
      v128_t t00, t10, t20, t30, t40, t50, t01, t11, t21, t31, t41, t51, t02, t12, t22, t32, t42, t52;
      WINO_G(g00, g10, g20, t00, t10, t20, t30, t40, t50);
      WINO_G(g01, g11, g21, t01, t11, t21, t31, t41, t51);
      WINO_G(g02, g12, g22, t02, t12, t22, t32, t42, t52);
      const int ci = flip ? k4 : ch, co = flip ? ch : k4;
      ROW_G(0) ROW_G(1) ROW_G(2) ROW_G(3) ROW_G(4) ROW_G(5)
    }
  }
}
