// Standalone differential check: kNeonKernels vs kScalarKernels, bit for bit (values and indices).
// Built for aarch64 together with maxpool_nchw_scalar.cc and maxpool_nchw_neon.cc and run under
// qemu-aarch64-static by neon_check.sh.
//
// Every buffer sits against a PROT_NONE guard page (inputs alternately at the start or the end of their
// mapping, outputs at the end), so a read or write outside a plane faults. Output buffers are pre-filled with
// a sentinel, so writes outside the requested row range show up in the memcmp.
//
// Usage: neon_check [cases=20000] [seed=1] [--bench]
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "../kernels/kernel_api.h"

using maxpool2d::KernelTable;
using maxpool2d::PoolGeom;

namespace {

uint64_t g_state = 1;
uint64_t next_u64() {  // splitmix64
  uint64_t z = (g_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
int64_t rnd(int64_t lo, int64_t hi) {  // inclusive
  if (hi < lo) {
    fprintf(stderr, "rnd(%lld, %lld)\n", (long long)lo, (long long)hi);
    abort();
  }
  return lo + static_cast<int64_t>(next_u64() % static_cast<uint64_t>(hi - lo + 1));
}
bool chance(int percent) { return rnd(0, 99) < percent; }

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

// A buffer of `bytes` next to a guard page: at the end of its mapping (tail) or at the start (head).
struct Guarded {
  unsigned char* map = nullptr;
  size_t map_len = 0;
  unsigned char* ptr = nullptr;
  void alloc(size_t bytes, bool at_end, size_t align) {
    const size_t data_pages = (bytes + kPage - 1) / kPage + 1;
    map_len = (data_pages + 2) * kPage;
    void* m = mmap(nullptr, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      fprintf(stderr, "mmap of %zu bytes failed\n", map_len);
      exit(2);
    }
    map = static_cast<unsigned char*>(m);
    mprotect(map, kPage, PROT_NONE);
    mprotect(map + map_len - kPage, kPage, PROT_NONE);
    if (at_end) {
      // Keep the element alignment: bytes is a multiple of align, so the end is aligned too.
      ptr = map + map_len - kPage - bytes;
    } else {
      ptr = map + kPage;
    }
    (void)align;
  }
  void release() {
    if (map) munmap(map, map_len);
    map = nullptr;
  }
};

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  int64_t num = in + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
  // floor division for possibly negative numerators
  int64_t q = num >= 0 ? num / s : -((-num + s - 1) / s);
  int64_t out = q + 1;
  if (ceil_mode && (out - 1) * s >= in + p) out -= 1;
  return out;
}

template <typename T>
T special_value(int kind) {
  using U = typename std::conditional<sizeof(T) == 4, uint32_t, uint64_t>::type;
  switch (kind) {
    case 0:
      return std::numeric_limits<T>::infinity();
    case 1:
      return -std::numeric_limits<T>::infinity();
    case 2:
      return static_cast<T>(0.0);
    case 3:
      return -static_cast<T>(0.0);
    default: {
      // NaN with a random payload and sign, so "which NaN" is visible in the bits; 1 in 4 signalling
      // (quiet bit clear, payload non-zero), which must be copied unchanged too.
      U bits;
      const bool signalling = chance(25);
      if (sizeof(T) == 4) {
        bits = signalling ? static_cast<U>(0x7f800000u | ((next_u64() & 0x001fffffu) + 1))
                          : static_cast<U>(0x7fc00000u | (next_u64() & 0x003fffffu));
        if (chance(50)) bits |= static_cast<U>(0x80000000u);
      } else {
        bits = signalling ? static_cast<U>(0x7ff0000000000000ULL | ((next_u64() & 0x0003ffffffffffffULL) + 1))
                          : static_cast<U>(0x7ff8000000000000ULL | (next_u64() & 0x0007ffffffffffffULL));
        if (chance(50)) bits |= static_cast<U>(0x8000000000000000ULL);
      }
      T v;
      memcpy(&v, &bits, sizeof v);
      return v;
    }
  }
}

template <typename T>
void fill_input(T* p, int64_t n) {
  const int mode = static_cast<int>(rnd(0, 5));
  const int special_pct = mode == 0 ? 0 : mode == 1 ? 2 : mode == 2 ? 10 : mode == 3 ? 40 : mode == 4 ? 5 : 90;
  const bool ties = chance(60);
  const bool all_ninf = chance(3);
  for (int64_t i = 0; i < n; ++i) {
    if (all_ninf) {
      p[i] = chance(95) ? -std::numeric_limits<T>::infinity() : special_value<T>(static_cast<int>(rnd(0, 5)));
    } else if (chance(special_pct)) {
      p[i] = special_value<T>(static_cast<int>(rnd(0, 5)));
    } else if (ties) {
      p[i] = static_cast<T>(rnd(-3, 3));
    } else {
      p[i] = static_cast<T>((static_cast<double>(next_u64() >> 11) / 9007199254740992.0 - 0.5) * 200.0);
    }
  }
}

struct Stats {
  long cases = 0, failures = 0, ring_like = 0, vec_cols = 0;
};

template <typename T>
bool run_case(const KernelTable& ref, const KernelTable& neon, const PoolGeom& g, int idx_mode, int64_t oh0,
              int64_t oh1, bool in_at_end, long case_no) {
  const int64_t nin = g.H * g.W;
  const int64_t nout = g.OH * g.OW;
  Guarded gin, go_ref, go_neon, gi_ref, gi_neon;
  gin.alloc(static_cast<size_t>(nin) * sizeof(T), in_at_end, sizeof(T));
  T* in = reinterpret_cast<T*>(gin.ptr);
  fill_input<T>(in, nin);
  mprotect(gin.map + kPage, gin.map_len - 2 * kPage, PROT_READ);  // kernels must not write the input

  const size_t ob = static_cast<size_t>(nout) * sizeof(T);
  const size_t ib = static_cast<size_t>(nout) * (idx_mode == 2 ? 4 : 8);
  go_ref.alloc(ob, true, sizeof(T));
  go_neon.alloc(ob, true, sizeof(T));
  gi_ref.alloc(ib, true, 8);
  gi_neon.alloc(ib, true, 8);
  memset(go_ref.ptr, 0xAB, ob);
  memset(go_neon.ptr, 0xAB, ob);
  memset(gi_ref.ptr, 0xCD, ib);
  memset(gi_neon.ptr, 0xCD, ib);

  auto call = [&](const KernelTable& kt, unsigned char* o, unsigned char* ix) {
    int64_t* i64 = idx_mode == 1 ? reinterpret_cast<int64_t*>(ix) : nullptr;
    int32_t* i32 = idx_mode == 2 ? reinterpret_cast<int32_t*>(ix) : nullptr;
    if (sizeof(T) == 4) {
      kt.pool_f32(g, reinterpret_cast<const float*>(in), reinterpret_cast<float*>(o), i64, i32, oh0, oh1);
    } else {
      kt.pool_f64(g, reinterpret_cast<const double*>(in), reinterpret_cast<double*>(o), i64, i32, oh0, oh1);
    }
  };
  call(ref, go_ref.ptr, gi_ref.ptr);
  call(neon, go_neon.ptr, gi_neon.ptr);

  bool ok = memcmp(go_ref.ptr, go_neon.ptr, ob) == 0 && memcmp(gi_ref.ptr, gi_neon.ptr, ib) == 0;
  if (!ok) {
    fprintf(stderr,
            "MISMATCH case %ld: %s H=%lld W=%lld OH=%lld OW=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld d=%lldx%lld "
            "idx=%s rows=[%lld,%lld)\n",
            case_no, sizeof(T) == 4 ? "f32" : "f64", (long long)g.H, (long long)g.W, (long long)g.OH,
            (long long)g.OW, (long long)g.kH, (long long)g.kW, (long long)g.sH, (long long)g.sW, (long long)g.pH,
            (long long)g.pW, (long long)g.dH, (long long)g.dW, idx_mode == 0 ? "none" : idx_mode == 1 ? "i64" : "i32",
            (long long)oh0, (long long)oh1);
    int shown = 0;
    for (int64_t i = 0; i < nout && shown < 8; ++i) {
      const T* a = reinterpret_cast<const T*>(go_ref.ptr) + i;
      const T* b = reinterpret_cast<const T*>(go_neon.ptr) + i;
      long long ia = 0, ibv = 0;
      if (idx_mode == 1) {
        ia = reinterpret_cast<int64_t*>(gi_ref.ptr)[i];
        ibv = reinterpret_cast<int64_t*>(gi_neon.ptr)[i];
      } else if (idx_mode == 2) {
        ia = reinterpret_cast<int32_t*>(gi_ref.ptr)[i];
        ibv = reinterpret_cast<int32_t*>(gi_neon.ptr)[i];
      }
      if (memcmp(a, b, sizeof(T)) != 0 || ia != ibv) {
        fprintf(stderr, "  out[%lld] (oh=%lld ow=%lld): scalar %g/%lld neon %g/%lld\n", (long long)i,
                (long long)(i / g.OW), (long long)(i % g.OW), (double)*a, ia, (double)*b, ibv);
        ++shown;
      }
    }
  }
  gin.release();
  go_ref.release();
  go_neon.release();
  gi_ref.release();
  gi_neon.release();
  return ok;
}

void random_geom(PoolGeom& g) {
  const bool big = chance(8);  // wider kernels / strides / dilations than PyTorch's usual range
  g.kH = rnd(1, big ? 11 : 7);
  g.kW = rnd(1, big ? 11 : 7);
  g.sH = rnd(1, big ? 9 : 4);
  g.sW = rnd(1, big ? 9 : 4);
  g.pH = rnd(0, g.kH / 2);
  g.pW = rnd(0, g.kW / 2);
  g.dH = rnd(1, big ? 4 : 3);
  g.dW = rnd(1, big ? 4 : 3);
  if (chance(25)) {
    // the common network shapes (the specialised kernels), square, mostly undilated
    static const int64_t presets[][3] = {{2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {5, 1, 2}, {3, 2, 0}, {2, 1, 0}, {3, 3, 0}};
    const auto& pr = presets[rnd(0, 6)];
    g.kH = g.kW = pr[0];
    g.sH = g.sW = pr[1];
    g.pH = g.pW = pr[2];
    g.dH = g.dW = chance(85) ? 1 : rnd(2, 3);
  }
  const int sz = static_cast<int>(rnd(0, 9));
  if (sz < 6) {
    g.H = rnd(1, 24);
    g.W = rnd(1, 40);
  } else if (sz < 9) {
    g.H = rnd(1, 40);
    g.W = rnd(20, 300);
  } else {
    g.H = rnd(1, 8);
    g.W = rnd(300, 1500);
  }
  const bool ceil_mode = chance(50);
  int64_t oh = out_size(g.H, g.kH, g.sH, g.pH, g.dH, ceil_mode);
  int64_t ow = out_size(g.W, g.kW, g.sW, g.pW, g.dW, ceil_mode);
  const int how = static_cast<int>(rnd(0, 9));
  if (how < 6) {
    // the formula (PyTorch would reject out < 1; still exercise it as a geometry with at least 1)
  } else if (how < 8) {
    oh += rnd(0, 4);  // larger than the formula: taps past the input must be clipped
    ow += rnd(0, 6);
  } else {
    oh = rnd(0, (oh > 0 ? oh : 0) + 5);
    ow = rnd(0, (ow > 0 ? ow : 0) + 9);
  }
  if (oh < 1 && chance(90)) oh = rnd(1, 3);
  if (ow < 1 && chance(90)) ow = rnd(1, 9);
  g.OH = oh < 0 ? 0 : oh;
  g.OW = ow < 0 ? 0 : ow;
}

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename T>
void bench_one(const char* name, const KernelTable& kt, const PoolGeom& g, int64_t planes, int idx_mode,
               int reps) {
  const int64_t nin = g.H * g.W, nout = g.OH * g.OW;
  T* in = static_cast<T*>(malloc(sizeof(T) * nin * planes));
  T* out = static_cast<T*>(malloc(sizeof(T) * nout * planes));
  int64_t* idx = static_cast<int64_t*>(malloc(8 * nout * planes));
  for (int64_t i = 0; i < nin * planes; ++i) in[i] = static_cast<T>(static_cast<double>(next_u64() % 1000));
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_ms();
    for (int64_t p = 0; p < planes; ++p) {
      int64_t* i64 = idx_mode == 1 ? idx + p * nout : nullptr;
      if (sizeof(T) == 4) {
        kt.pool_f32(g, reinterpret_cast<const float*>(in) + p * nin, reinterpret_cast<float*>(out) + p * nout, i64,
                    nullptr, 0, g.OH);
      } else {
        kt.pool_f64(g, reinterpret_cast<const double*>(in) + p * nin, reinterpret_cast<double*>(out) + p * nout,
                    i64, nullptr, 0, g.OH);
      }
    }
    const double t = now_ms() - t0;
    if (t < best) best = t;
  }
  printf("  %-34s %-6s %-4s idx=%-4s %9.2f ms\n", name, kt.name, sizeof(T) == 4 ? "f32" : "f64",
         idx_mode ? "i64" : "none", best);
  free(in);
  free(out);
  free(idx);
}

void bench() {
  struct Shape {
    const char* name;
    int64_t planes, H, W, k, s, p;
  } shapes[] = {
      {"stem 64x112x112 k3 s2 p1", 64, 112, 112, 3, 2, 1},
      {"64x112x112 k2 s2", 64, 112, 112, 2, 2, 0},
      {"SPPF 256x20x20 k5 s1 p2", 256, 20, 20, 5, 1, 2},
  };
  printf("bench under qemu (instruction-count proxy only, not real timings):\n");
  for (const Shape& s : shapes) {
    PoolGeom g{s.H, s.W, 0, 0, s.k, s.k, s.s, s.s, s.p, s.p, 1, 1};
    g.OH = out_size(s.H, s.k, s.s, s.p, 1, false);
    g.OW = out_size(s.W, s.k, s.s, s.p, 1, false);
    for (int idx_mode = 0; idx_mode <= 1; ++idx_mode) {
      bench_one<float>(s.name, maxpool2d::kScalarKernels, g, s.planes, idx_mode, 3);
      bench_one<float>(s.name, maxpool2d::kNeonKernels, g, s.planes, idx_mode, 3);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  long cases = 20000;
  uint64_t seed = 1;
  bool do_bench = false;
  int pos = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--bench") == 0) {
      do_bench = true;
    } else if (pos == 0) {
      cases = atol(argv[i]);
      ++pos;
    } else {
      seed = strtoull(argv[i], nullptr, 10);
      ++pos;
    }
  }
  g_state = seed * 0x2545F4914F6CDD1DULL + 7;
  const KernelTable& ref = maxpool2d::kScalarKernels;
  const KernelTable& neon = maxpool2d::kNeonKernels;
  if (strcmp(neon.name, "neon") != 0) {
    fprintf(stderr, "unexpected kernel table name %s\n", neon.name);
    return 2;
  }
  long failures = 0;
  long by_dtype[2] = {0, 0}, by_idx[3] = {0, 0, 0}, partial_rows = 0, beyond_formula = 0;
  for (long c = 0; c < cases; ++c) {
    PoolGeom g;
    random_geom(g);
    const bool f64 = chance(50);
    const int idx_mode = static_cast<int>(rnd(0, 2));
    int64_t oh0 = 0, oh1 = g.OH;
    if (g.OH > 0 && chance(35)) {
      oh0 = rnd(0, g.OH);
      oh1 = rnd(oh0, g.OH);
      ++partial_rows;
    }
    if (g.OH > out_size(g.H, g.kH, g.sH, g.pH, g.dH, true) || g.OW > out_size(g.W, g.kW, g.sW, g.pW, g.dW, true))
      ++beyond_formula;
    const bool in_at_end = chance(50);
    const bool ok = f64 ? run_case<double>(ref, neon, g, idx_mode, oh0, oh1, in_at_end, c)
                        : run_case<float>(ref, neon, g, idx_mode, oh0, oh1, in_at_end, c);
    ++by_dtype[f64 ? 1 : 0];
    ++by_idx[idx_mode];
    if (!ok && ++failures >= 20) {
      fprintf(stderr, "too many failures, stopping\n");
      break;
    }
  }
  printf("neon_check: %ld cases (f32 %ld, f64 %ld; idx none %ld, i64 %ld, i32 %ld; row sub-ranges %ld; "
         "OH/OW beyond the ceil formula %ld): %ld failed\n",
         by_dtype[0] + by_dtype[1], by_dtype[0], by_dtype[1], by_idx[0], by_idx[1], by_idx[2], partial_rows,
         beyond_formula, failures);
  if (do_bench) bench();
  return failures ? 1 : 0;
}
