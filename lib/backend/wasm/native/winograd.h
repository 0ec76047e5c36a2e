/*
 * Winograd F(4x4, 3x3) (Lavin and Gray): a 4x4 output tile of a 3x3 convolution from a 6x6 input tile with 36
 * products per input/output channel pair instead of 144. The three linear maps, each applied along one axis and
 * then the other, on four channels at once:
 *   input   V = Bᵀ d B  (6x6 -> 6x6),  Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   filter  U = G g Gᵀ  (3x3 -> 6x6),  G  = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 *   output  Y = Aᵀ M A  (6x6 -> 4x4),  Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * Component (i, j) of a 6x6 transform is number 6i + j. The filter gradient uses the adjoints of the same maps
 * (Y is linear in g, so dL/dg = Σ over tiles of Gᵀ [(A dY Aᵀ) ⊙ (Bᵀ d B)] G):
 *   output gradient  A dY Aᵀ  (4x4 -> 6x6),  filter gradient  Gᵀ M G  (6x6 -> 3x3).
 */
#ifndef TL_WINOGRAD_H
#define TL_WINOGRAD_H
#include "common.h"

/** Bᵀ applied to six vectors d0..d5, giving t0..t5. */
#define WINO_BT(d0, d1, d2, d3, d4, d5, t0, t1, t2, t3, t4, t5)                  \
  {                                                                              \
    v128_t p_ = V_SUB(d4, V_MUL(V_SPLAT(4.0f), d2));                             \
    v128_t q_ = V_SUB(d3, V_MUL(V_SPLAT(4.0f), d1));                             \
    v128_t r_ = V_SUB(d4, d2);                                                   \
    v128_t s_ = V_MUL(V_SPLAT(2.0f), V_SUB(d3, d1));                             \
    t0 = V_ADD(V_SUB(V_MUL(V_SPLAT(4.0f), d0), V_MUL(V_SPLAT(5.0f), d2)), d4);   \
    t1 = V_ADD(p_, q_);                                                          \
    t2 = V_SUB(p_, q_);                                                          \
    t3 = V_ADD(r_, s_);                                                          \
    t4 = V_SUB(r_, s_);                                                          \
    t5 = V_ADD(V_SUB(V_MUL(V_SPLAT(4.0f), d1), V_MUL(V_SPLAT(5.0f), d3)), d5);   \
  }

/** G applied to three vectors g0..g2, giving r0..r5. */
#define WINO_G(g0, g1, g2, r0, r1, r2, r3, r4, r5)                                        \
  {                                                                                       \
    v128_t e_ = V_ADD(g0, g2);                                                            \
    v128_t f_ = V_ADD(V_MUL(V_SPLAT(1.0f / 24.0f), g0), V_MUL(V_SPLAT(1.0f / 6.0f), g2));  \
    v128_t h_ = V_MUL(V_SPLAT(1.0f / 12.0f), g1);                                         \
    r0 = V_MUL(V_SPLAT(0.25f), g0);                                                       \
    r1 = V_MUL(V_SPLAT(-1.0f / 6.0f), V_ADD(e_, g1));                                     \
    r2 = V_MUL(V_SPLAT(-1.0f / 6.0f), V_SUB(e_, g1));                                     \
    r3 = V_ADD(f_, h_);                                                                   \
    r4 = V_SUB(f_, h_);                                                                   \
    r5 = g2;                                                                              \
  }

/** Aᵀ applied to six vectors m0..m5, giving y0..y3. */
#define WINO_AT(m0, m1, m2, m3, m4, m5, y0, y1, y2, y3)                 \
  {                                                                     \
    v128_t a_ = V_ADD(m1, m2), b_ = V_SUB(m1, m2);                      \
    v128_t c_ = V_ADD(m3, m4), d_ = V_SUB(m3, m4);                      \
    y0 = V_ADD(V_ADD(m0, a_), c_);                                      \
    y1 = V_ADD(b_, V_MUL(V_SPLAT(2.0f), d_));                           \
    y2 = V_ADD(a_, V_MUL(V_SPLAT(4.0f), c_));                           \
    y3 = V_ADD(V_ADD(b_, V_MUL(V_SPLAT(8.0f), d_)), m5);                \
  }

/** A (the transpose of Aᵀ) applied to four vectors y0..y3, giving z0..z5. */
#define WINO_A(y0, y1, y2, y3, z0, z1, z2, z3, z4, z5)                                  \
  {                                                                                     \
    v128_t e_ = V_ADD(y0, y2), o_ = V_ADD(y1, y3);                                      \
    v128_t f_ = V_ADD(y0, V_MUL(V_SPLAT(4.0f), y2));                                    \
    v128_t p_ = V_ADD(V_MUL(V_SPLAT(2.0f), y1), V_MUL(V_SPLAT(8.0f), y3));              \
    z0 = y0;                                                                            \
    z1 = V_ADD(e_, o_);                                                                 \
    z2 = V_SUB(e_, o_);                                                                 \
    z3 = V_ADD(f_, p_);                                                                 \
    z4 = V_SUB(f_, p_);                                                                 \
    z5 = y3;                                                                            \
  }

/** Gᵀ applied to six vectors m0..m5, giving w0..w2. */
#define WINO_GT(m0, m1, m2, m3, m4, m5, w0, w1, w2)                                                      \
  {                                                                                                      \
    v128_t s_ = V_ADD(m1, m2), d_ = V_SUB(m2, m1), u_ = V_ADD(m3, m4), v_ = V_SUB(m3, m4);               \
    w0 = V_ADD(V_SUB(V_MUL(V_SPLAT(0.25f), m0), V_MUL(V_SPLAT(1.0f / 6.0f), s_)), V_MUL(V_SPLAT(1.0f / 24.0f), u_)); \
    w1 = V_ADD(V_MUL(V_SPLAT(1.0f / 6.0f), d_), V_MUL(V_SPLAT(1.0f / 12.0f), v_));                       \
    w2 = V_ADD(V_MUL(V_SPLAT(1.0f / 6.0f), V_SUB(u_, s_)), m5);                                          \
  }

#endif
