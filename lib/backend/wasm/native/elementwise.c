/*
 * Element-wise kernels on all threads: binary arithmetic (same shapes, a scalar operand, or a vector along the last
 * axis such as a bias) and the unary maps of training (relu and clipping, square, sqrt, step). Chunks are fixed
 * blocks of elements (whole rows for a vector operand); each element is computed once, so threads never change a
 * result. NaN passes through as in the cpu backend.
 */
#include "common.h"

enum { ADD, SUB, MUL, DIV };

INLINE v128_t binop(int op, v128_t a, v128_t b) {
  switch (op) {
    case ADD: return V_ADD(a, b);
    case SUB: return V_SUB(a, b);
    case MUL: return V_MUL(a, b);
    default: return wasm_f32x4_div(a, b);
  }
}

INLINE float binop1(int op, float a, float b) {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    default: return a / b;
  }
}

/* out[i] = a[i * sa + (i % c) * va] op b[i * sb + (i % c) * vb] for i in [from, to): sa/sb 1 for a full operand,
   0 for a scalar; va/vb 1 for a vector along the last axis (c elements). Runs rows of c when a vector is involved. */
INLINE void binary_run(int op, const float *a, const float *b, float *out, int from, int to, int sa, int sb) {
  int i = from;
  if (sa && sb) {
    for (; i + 4 <= to; i += 4) V_ST(out + i, binop(op, V_LD(a + i), V_LD(b + i)));
    for (; i < to; i++) out[i] = binop1(op, a[i], b[i]);
  } else if (sa) {
    const v128_t bv = V_SPLAT(b[0]);
    for (; i + 4 <= to; i += 4) V_ST(out + i, binop(op, V_LD(a + i), bv));
    for (; i < to; i++) out[i] = binop1(op, a[i], b[0]);
  } else {
    const v128_t av = V_SPLAT(a[0]);
    for (; i + 4 <= to; i += 4) V_ST(out + i, binop(op, av, V_LD(b + i)));
    for (; i < to; i++) out[i] = binop1(op, a[0], b[i]);
  }
}

/*
 * Arguments: 0 a; 1 b; 2 out; 3 elements; 4 op (0 add, 1 sub, 2 mul, 3 div); 5 mode (0 same shape, 1 b scalar,
 * 2 a scalar, 3 b a vector along the last axis, 4 a such a vector); 6 vector length c; 7 elements per chunk (a
 * multiple of c in modes 3 and 4).
 */
KERNEL(binary) {
  const float *a = ARG_P(0), *b = ARG_P(1);
  float *out = ARG_P(2);
  const int n = ARG_I(3), op = ARG_I(4), mode = ARG_I(5), c = ARG_I(6), per = ARG_I(7), chunks = (n + per - 1) / per;
  for (int ch; (ch = claim(job)) < chunks;) {
    const int from = ch * per, to = imin(n, from + per);
    if (mode <= 2) {
      binary_run(op, a, b, out, from, to, mode != 2, mode != 1);
      continue;
    }
    for (int r = from; r < to; r += c) {
      /* A row of the full operand against the whole vector: both full, lengths c. */
      if (mode == 3) binary_run(op, a + r, b, out + r, 0, c, 1, 1);
      else binary_run(op, a, b + r, out + r, 0, c, 1, 1);
    }
  }
}

enum { CLIP, SQUARE, SQRT, STEP };

/* Arguments: 0 x; 1 out; 2 elements; 3 op (0 clip to [p, q], 1 square, 2 sqrt, 3 step: 1 above 0, else p); 4 p
   (float); 5 q (float); 6 elements per chunk. */
KERNEL(unary) {
  const float *x = ARG_P(0);
  float *out = ARG_P(1);
  const int n = ARG_I(2), op = ARG_I(3), per = ARG_I(6), chunks = (n + per - 1) / per;
  const float p = ARG_F(4), q = ARG_F(5);
  const v128_t pv = V_SPLAT(p), qv = V_SPLAT(q), one = V_SPLAT(1.0f);
  for (int ch; (ch = claim(job)) < chunks;) {
    const int from = ch * per, to = imin(n, from + per);
    int i = from;
    for (; i + 4 <= to; i += 4) {
      const v128_t v = V_LD(x + i);
      v128_t r;
      if (op == CLIP) r = wasm_v128_bitselect(pv, wasm_v128_bitselect(qv, v, wasm_f32x4_gt(v, qv)), wasm_f32x4_lt(v, pv));
      else if (op == SQUARE) r = V_MUL(v, v);
      else if (op == SQRT) r = wasm_f32x4_sqrt(v);
      else r = wasm_v128_bitselect(v, wasm_v128_bitselect(one, pv, wasm_f32x4_gt(v, V_ZERO)), wasm_f32x4_ne(v, v));
      V_ST(out + i, r);
    }
    for (; i < to; i++) {
      const float v = x[i];
      if (op == CLIP) out[i] = v < p ? p : v > q ? q : v;
      else if (op == SQUARE) out[i] = v * v;
      else if (op == SQRT) out[i] = __builtin_sqrtf(v);
      else out[i] = v != v ? v : v > 0.0f ? 1.0f : p;
    }
  }
}
