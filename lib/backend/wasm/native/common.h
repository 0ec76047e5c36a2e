/*
 * Shared definitions of the project's WebAssembly kernels (built by scripts/build_wasm.ts into kernels*.wasm).
 *
 * The module imports the tfjs wasm backend's own shared memory: kernels read and write tensors where tfjs keeps
 * them, with no copies. It has no data segments and uses no stack (no arrays in locals, no address-taken locals),
 * so it never writes anywhere but the buffers it is given; the build links it with a zero-size stack at address
 * 0, so any stack use would trap instead of writing into tfjs's memory.
 *
 * Every exported kernel has the signature `void k(Job *job, int tid)`: all threads of the pool call it with the same
 * job, and each claims chunks of work from `job->next` until none is left (so a thread that the OS holds back
 * simply does fewer chunks). Which thread does a chunk never changes the result: each output element is
 * computed by one chunk, in a fixed order.
 */
#ifndef TL_COMMON_H
#define TL_COMMON_H
#include <stdint.h>
#include <wasm_simd128.h>

/** A job: the chunk counter (reset to 0 by the caller before the threads start), then the kernel's arguments. */
typedef struct {
  int32_t next;
  int32_t pad[3];
  union {
    int32_t i;
    float f;
  } a[28];
} Job;

#define KERNEL(name) __attribute__((export_name(#name))) void name(Job *job, int tid)
#define ARG_I(n) (job->a[n].i)
#define ARG_F(n) (job->a[n].f)
#define ARG_P(n) ((float *)(uintptr_t)(uint32_t)job->a[n].i)

/** The next chunk for this thread, or a value >= count when none is left. */
static inline int claim(Job *job) { return __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED); }

/* Multiply-add: fused (relaxed SIMD) in kernels-relaxed.wasm, a multiply then an add in kernels.wasm. */
#ifdef TL_RELAXED
#define MADD(a, b, c) wasm_f32x4_relaxed_madd((a), (b), (c))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

#define V_ZERO wasm_f32x4_const_splat(0.0f)
#define V_SPLAT(x) wasm_f32x4_splat(x)
#define V_LD(p) wasm_v128_load(p)
#define V_ST(p, v) wasm_v128_store((p), (v))
#define V_ADD(a, b) wasm_f32x4_add((a), (b))
#define V_SUB(a, b) wasm_f32x4_sub((a), (b))
#define V_MUL(a, b) wasm_f32x4_mul((a), (b))

/** Helpers are inlined into their kernel, so that structs of arguments never need the stack. */
#define INLINE static inline __attribute__((always_inline))

/** An output activation: 0 linear, 1 relu, 2 relu6 (NaN passes through, as in the cpu backend). */
INLINE v128_t activate(v128_t v, int act) {
  if (act == 0) return v;
  v = wasm_v128_bitselect(V_ZERO, v, wasm_f32x4_lt(v, V_ZERO));
  return act == 2 ? wasm_v128_bitselect(V_SPLAT(6.0f), v, wasm_f32x4_gt(v, V_SPLAT(6.0f))) : v;
}

/** The first tap of a window starting at `at` (`d` apart) whose input is at or after 0 (`taps` when none). */
INLINE int firstTap(int at, int d, int taps) {
  int t = 0;
  while (t < taps && at + t * d < 0) t++;
  return t;
}

/** One past the last tap of a window starting at `at` (`d` apart) whose input is before `size`, at least `first`. */
INLINE int endTap(int at, int d, int taps, int size, int first) {
  int t = taps;
  while (t > first && at + (t - 1) * d >= size) t--;
  return t;
}

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }

#endif
