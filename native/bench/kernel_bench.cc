// Standalone check + microbenchmark for the per-ISA max-pool kernels (no Node needed).
//
//   kernel_bench check [--cases N] [--seed S] [--tables scalar,avx2,avx512] [--maxdim D]
//       Compares every kernel table against kScalarKernels bit for bit (memcmp of values and indices, and of
//       the untouched parts of the output buffers) over random geometries, data with NaN (quiet, signalling,
//       negative payloads), +-inf, -0/+0, denormals and ties, both dtypes, idx64 / idx32 / none, row
//       sub-ranges, and OH/OW larger or smaller than the formula. Inputs and outputs sit right against
//       PROT_NONE guard pages (alternately at the end and at the start of the mapping), so any read or write
//       outside the plane faults.
//   kernel_bench bench [--reps N] [--tables ...] [--only SUBSTR] [--modes f32,f32+i64,f64,...] [--min]
//                    [--planes N (override the plane count, e.g. 1 for cache-resident timing)]
//       Single-thread medians (or minima with --min) over whole tensors (all planes, all rows) for the reference shapes.
//
// Build: native/bench/build.sh (compiles the kernel TUs with their per-ISA flags, this file without).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../kernels/kernel_api.h"

using namespace maxpool2d;

namespace {

// ------------------------------------------------------------------------------------------------ tables

struct Entry {
  const KernelTable* t;
  bool available;
};

std::vector<Entry> all_tables() {
  std::vector<Entry> v;
  v.push_back({&kScalarKernels, true});
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  v.push_back({&kAvx2Kernels, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")});
  v.push_back({&kAvx512Kernels, __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")});
#endif
#if defined(__aarch64__)
  v.push_back({&kNeonKernels, true});
#endif
  return v;
}

std::vector<const KernelTable*> pick_tables(const std::string& list) {
  std::vector<const KernelTable*> out;
  for (const Entry& e : all_tables()) {
    if (!e.available) {
      std::printf("# table %s: not supported by this CPU, skipped\n", e.t->name);
      continue;
    }
    if (!list.empty()) {
      const std::string key = std::string(",") + list + ",";
      if (key.find(std::string(",") + e.t->name + ",") == std::string::npos) continue;
    }
    out.push_back(e.t);
  }
  return out;
}

// --------------------------------------------------------------------------------------- guarded memory

struct Guarded {
  void* map = nullptr;
  size_t map_len = 0;
  unsigned char* data = nullptr;
  Guarded() = default;
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  ~Guarded() { release(); }
  void release() {
    if (map) munmap(map, map_len);
    map = nullptr;
    data = nullptr;
  }
  // bytes usable at `data`; PROT_NONE pages before and after; the block is placed against the end page
  // (at_end) or the start page.
  void alloc(size_t bytes, bool at_end) {
    release();
    const size_t pg = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t body = (bytes + pg - 1) / pg * pg + (bytes == 0 ? pg : 0);
    map_len = body + 2 * pg;
    map = mmap(nullptr, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
      std::perror("mmap");
      std::exit(2);
    }
    unsigned char* b = static_cast<unsigned char*>(map);
    mprotect(b, pg, PROT_NONE);
    mprotect(b + pg + body, pg, PROT_NONE);
    data = at_end ? b + pg + body - bytes : b + pg;
  }
};

// ---------------------------------------------------------------------------------------------- random

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {}
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  bool chance(double p) { return unit() < p; }
};

template <typename T>
T make_nan(Rng& r);
template <>
float make_nan<float>(Rng& r) {
  uint32_t b;
  if (r.chance(0.5))
    b = 0x7fc00000u | static_cast<uint32_t>(r.next() & 0x3fffffu);  // quiet, payload
  else
    b = 0x7f800000u | static_cast<uint32_t>(1 + r.next() % 0x3fffffu);  // signalling
  if (r.chance(0.5)) b |= 0x80000000u;
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
template <>
double make_nan<double>(Rng& r) {
  uint64_t b;
  if (r.chance(0.5))
    b = 0x7ff8000000000000ull | (r.next() & 0x7ffffffffffffull);
  else
    b = 0x7ff0000000000000ull | (1 + r.next() % 0x7ffffffffffffull);
  if (r.chance(0.5)) b |= 0x8000000000000000ull;
  double f;
  std::memcpy(&f, &b, 8);
  return f;
}

template <typename T>
void fill_data(Rng& r, T* p, int64_t n) {
  const int mode = static_cast<int>(r.range(0, 5));
  const double pnan = r.chance(0.4) ? 0.0 : (r.chance(0.5) ? 0.01 : 0.2);
  const double pinf = r.chance(0.5) ? 0.0 : 0.1;
  const T tiny = std::numeric_limits<T>::denorm_min();
  for (int64_t i = 0; i < n; ++i) {
    T v;
    switch (mode) {
      case 0:  // ties, both zeros
        v = static_cast<T>(r.range(-3, 3));
        if (v == 0 && r.chance(0.5)) v = -v;
        break;
      case 1:
        v = static_cast<T>((r.unit() - 0.5) * 1000.0);
        break;
      case 2:  // mostly zeros of both signs
        v = r.chance(0.5) ? static_cast<T>(0.0) : static_cast<T>(-0.0);
        if (r.chance(0.1)) v = static_cast<T>(r.range(-1, 1));
        break;
      case 3:  // mostly -inf
        v = r.chance(0.8) ? -std::numeric_limits<T>::infinity() : static_cast<T>(r.range(-2, 2));
        break;
      case 4:  // denormals and zeros
        v = static_cast<T>(r.range(-3, 3)) * tiny;
        break;
      default:  // descending / ascending ramps (window maxima at the edges)
        v = static_cast<T>((i % 7) * (r.chance(0.5) ? 1 : -1));
        break;
    }
    if (r.chance(pinf)) v = r.chance(0.5) ? std::numeric_limits<T>::infinity() : -std::numeric_limits<T>::infinity();
    if (r.chance(pnan)) v = make_nan<T>(r);
    p[i] = v;
  }
}

// ------------------------------------------------------------------------------------------------ check

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  const int64_t num = in + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
  // floor division
  int64_t q = num >= 0 ? num / s : -((-num + s - 1) / s);
  int64_t o = q + 1;
  if (ceil_mode && (o - 1) * s >= in + p) --o;
  return o;
}

struct Shape {
  const char* name;
  int64_t P, H, W, k, s, p;
};

const Shape kShapes[] = {
    {"64x112x112 k3s2p1", 64, 112, 112, 3, 2, 1}, {"64x224x224 k2s2", 64, 224, 224, 2, 2, 0},
    {"512x20x20 k5s1p2", 512, 20, 20, 5, 1, 2},   {"256x40x40 k5s1p2", 256, 40, 40, 5, 1, 2},
    {"96x55x55 k3s2", 96, 55, 55, 3, 2, 0},       {"128x56x56 k2s2", 128, 56, 56, 2, 2, 0},
    {"3x32x32 k2s2", 3, 32, 32, 2, 2, 0},
};

const char* g_fail_prefix = "";

template <typename T>
bool run_case(Rng& r, const std::vector<const KernelTable*>& tabs, const PoolGeom& g, int idxmode, int64_t oh0,
              int64_t oh1, bool at_end, int64_t case_no) {
  const int64_t n_in = g.H * g.W, n_out = g.OH * g.OW;
  Guarded in;
  in.alloc(sizeof(T) * n_in, at_end);
  T* x = reinterpret_cast<T*>(in.data);
  fill_data(r, x, n_in);
  mprotect(in.map, in.map_len, PROT_READ);  // kernels must not write the input

  std::vector<unsigned char> ref_out, ref_idx;
  bool ok = true;
  for (size_t t = 0; t < tabs.size(); ++t) {
    Guarded out, idx;
    out.alloc(sizeof(T) * n_out, !at_end);
    const size_t isz = idxmode == 1 ? 8 : (idxmode == 2 ? 4 : 0);
    idx.alloc(isz * n_out, at_end);
    std::memset(out.data, 0xA5, sizeof(T) * n_out);
    std::memset(idx.data, 0x5A, isz * n_out);
    int64_t* i64 = idxmode == 1 ? reinterpret_cast<int64_t*>(idx.data) : nullptr;
    int32_t* i32 = idxmode == 2 ? reinterpret_cast<int32_t*>(idx.data) : nullptr;
    if (sizeof(T) == 4)
      tabs[t]->pool_f32(g, reinterpret_cast<const float*>(x), reinterpret_cast<float*>(out.data), i64, i32, oh0, oh1);
    else
      tabs[t]->pool_f64(g, reinterpret_cast<const double*>(x), reinterpret_cast<double*>(out.data), i64, i32, oh0, oh1);
    if (t == 0) {
      ref_out.assign(out.data, out.data + sizeof(T) * n_out);
      ref_idx.assign(idx.data, idx.data + isz * n_out);
      continue;
    }
    const bool vo = std::memcmp(ref_out.data(), out.data, sizeof(T) * n_out) == 0;
    const bool io = isz == 0 || std::memcmp(ref_idx.data(), idx.data, isz * n_out) == 0;
    if (!vo || !io) {
      ok = false;
      std::printf(
          "%sMISMATCH case %lld table %s dtype f%d idx%s: H=%lld W=%lld OH=%lld OW=%lld k=%lldx%lld s=%lldx%lld "
          "p=%lldx%lld d=%lldx%lld rows [%lld,%lld) %s\n",
          g_fail_prefix, static_cast<long long>(case_no), tabs[t]->name, static_cast<int>(sizeof(T) * 8),
          idxmode == 1 ? "64" : (idxmode == 2 ? "32" : "none"), (long long)g.H, (long long)g.W, (long long)g.OH,
          (long long)g.OW, (long long)g.kH, (long long)g.kW, (long long)g.sH, (long long)g.sW, (long long)g.pH,
          (long long)g.pW, (long long)g.dH, (long long)g.dW, (long long)oh0, (long long)oh1,
          vo ? "(indices differ)" : "(values differ)");
      int shown = 0;
      for (int64_t i = 0; i < n_out && shown < 6; ++i) {
        const bool dv = std::memcmp(ref_out.data() + i * sizeof(T), out.data + i * sizeof(T), sizeof(T)) != 0;
        const bool di = isz && std::memcmp(ref_idx.data() + i * isz, idx.data + i * isz, isz) != 0;
        if (!dv && !di) continue;
        T a, b;
        std::memcpy(&a, ref_out.data() + i * sizeof(T), sizeof(T));
        std::memcpy(&b, out.data + i * sizeof(T), sizeof(T));
        long long ia = 0, ib = 0;
        if (isz == 8) {
          std::memcpy(&ia, ref_idx.data() + i * 8, 8);
          std::memcpy(&ib, idx.data + i * 8, 8);
        } else if (isz == 4) {
          int32_t a32, b32;
          std::memcpy(&a32, ref_idx.data() + i * 4, 4);
          std::memcpy(&b32, idx.data + i * 4, 4);
          ia = a32;
          ib = b32;
        }
        std::printf("   at oh=%lld ow=%lld: ref %.9g (idx %lld)  got %.9g (idx %lld)\n", (long long)(i / g.OW),
                    (long long)(i % g.OW), (double)a, ia, (double)b, ib);
        ++shown;
      }
    }
  }
  return ok;
}

int cmd_check(int64_t cases, uint64_t seed, const std::string& tables, int64_t maxdim) {
  std::vector<const KernelTable*> tabs = pick_tables(tables.empty() ? "" : "scalar," + tables);
  if (tabs.empty() || tabs[0] != &kScalarKernels) {
    std::printf("scalar table missing\n");
    return 2;
  }
  std::printf("# check: %lld cases, seed %llu, tables:", (long long)cases, (unsigned long long)seed);
  for (auto* t : tabs) std::printf(" %s", t->name);
  std::printf("\n");
  Rng r(seed);
  int64_t fails = 0, done = 0;
  // The benchmark shapes themselves (one plane each, several data patterns), then random geometries.
  for (const Shape& sh : kShapes) {
    for (int rep = 0; rep < 6; ++rep) {
      PoolGeom g;
      g.H = sh.H;
      g.W = sh.W;
      g.kH = g.kW = sh.k;
      g.sH = g.sW = sh.s;
      g.pH = g.pW = sh.p;
      g.dH = g.dW = 1;
      g.OH = out_size(g.H, g.kH, g.sH, g.pH, 1, rep >= 3);
      g.OW = out_size(g.W, g.kW, g.sW, g.pW, 1, rep >= 3);
      const int idxmode = rep % 3;
      const bool ok = (rep & 1) ? run_case<double>(r, tabs, g, idxmode, 0, g.OH, rep & 2, -1)
                                : run_case<float>(r, tabs, g, idxmode, 0, g.OH, rep & 2, -1);
      ++done;
      if (!ok) ++fails;
    }
  }
  for (int64_t c = 0; c < cases; ++c) {
    PoolGeom g;
    g.kH = r.range(1, 7);
    g.kW = r.range(1, 7);
    g.sH = r.chance(0.9) ? r.range(1, 4) : r.range(5, 9);
    g.sW = r.chance(0.9) ? r.range(1, 4) : r.range(5, 9);
    g.dH = r.chance(0.6) ? 1 : r.range(2, 3);
    g.dW = r.chance(0.6) ? 1 : r.range(2, 3);
    g.pH = r.chance(0.95) ? r.range(0, g.kH / 2) : r.range(0, g.kH + 2);  // beyond k/2: still memory-safe
    g.pW = r.chance(0.95) ? r.range(0, g.kW / 2) : r.range(0, g.kW + 2);
    const int64_t md = r.chance(0.1) ? maxdim * 4 : maxdim;
    g.H = r.chance(0.05) ? r.range(1, 3) : r.range(1, md);
    if (r.chance(0.3)) {  // widths around vector multiples
      const int64_t base = 8 * r.range(1, 12);
      g.W = base + r.range(-2, 2);
      if (g.W < 1) g.W = 1;
    } else {
      g.W = r.chance(0.05) ? r.range(1, 3) : r.range(1, md);
    }
    if (r.chance(0.02)) g.W = r.range(300, 1200);  // several ring chunks
    if (r.chance(0.35)) {  // the specialised square shapes (strip / flat / de-interleave paths)
      static const int64_t ks[] = {2, 3, 3, 5, 5, 7};
      g.kH = g.kW = ks[r.range(0, 5)];
      g.sH = g.sW = r.chance(0.5) ? 1 : 2;
      if (r.chance(0.2)) g.sH = g.sW = g.kH;
      g.dH = g.dW = r.chance(0.85) ? 1 : 2;
      g.pH = g.pW = r.range(0, g.kH / 2);
    }
    if (r.chance(0.03)) {  // large kernels / dilations (vector load-mask limits, scalar fallback above 64)
      g.kH = r.range(1, 70);
      g.kW = r.range(1, 70);
      g.dH = r.range(1, 4);
      g.dW = r.range(1, 4);
      g.pH = r.range(0, g.kH / 2);
      g.pW = r.range(0, g.kW / 2);
      g.H = r.range(1, 160);
      g.W = r.range(1, 260);
    }
    if (r.chance(0.12)) {  // stride-1 "same" pooling (same_s1_avx512.h): odd k, p = (k - 1) / 2
      g.kH = g.kW = 2 * r.range(0, 6) + 1;
      g.sH = g.sW = g.dH = g.dW = 1;
      g.pH = g.pW = (g.kH - 1) / 2;
      if (r.chance(0.15)) g.W = r.range(300, 3000);  // several bands per plane, or too wide for one
      if (r.chance(0.1)) g.W = 16 * r.range(1, 8) + r.range(-1, 1);
    }
    const bool ceil_mode = r.chance(0.5);
    g.OH = out_size(g.H, g.kH, g.sH, g.pH, g.dH, ceil_mode);
    g.OW = out_size(g.W, g.kW, g.sW, g.pW, g.dW, ceil_mode);
    if (g.OH < 1) g.OH = 1;
    if (g.OW < 1) g.OW = 1;
    const double u = r.unit();
    if (u < 0.2) {
      g.OH += r.range(0, 5);
      g.OW += r.range(0, 40);
    } else if (u < 0.27) {
      g.OH = r.range(1, g.OH);
      g.OW = r.range(1, g.OW);
    }
    int64_t oh0 = 0, oh1 = g.OH;
    if (r.chance(0.5)) {
      oh0 = r.range(0, g.OH);
      oh1 = r.range(oh0, g.OH);
    }
    const int idxmode = static_cast<int>(r.range(0, 2));
    const bool at_end = r.chance(0.5);
    const bool f64 = r.chance(0.5);
    const bool ok = f64 ? run_case<double>(r, tabs, g, idxmode, oh0, oh1, at_end, c)
                        : run_case<float>(r, tabs, g, idxmode, oh0, oh1, at_end, c);
    ++done;
    if (!ok && ++fails >= 20) break;
  }
  std::printf("# check: %lld cases run, %lld failing\n", (long long)done, (long long)fails);
  std::printf(fails ? "CHECK FAILED\n" : "CHECK PASSED\n");
  return fails ? 1 : 0;
}

// ------------------------------------------------------------------------------------------------ bench

struct Mode {
  const char* name;
  bool f64;
  int idx;  // 0 none, 1 int64, 2 int32
};
const Mode kModes[] = {{"f32", false, 0}, {"f32+i64", false, 1}, {"f64", true, 0},
                       {"f64+i64", true, 1}, {"f32+i32", false, 2}};

double now_us() {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int cmd_bench(int64_t reps_arg, const std::string& tables, const std::string& only, const std::string& modes,
              bool use_min, int64_t planes) {
  std::vector<const KernelTable*> tabs = pick_tables(tables);
  std::printf("# bench: single thread, %s of N whole-tensor passes (all planes, rows [0,OH)), microseconds\n",
              use_min ? "minimum" : "median");
  std::printf("%-20s %-8s", "shape", "mode");
  for (auto* t : tabs) std::printf(" %10s", t->name);
  if (tabs.size() > 1) std::printf("   speedup vs %s", tabs[0]->name);
  std::printf("\n");
  for (Shape sh : kShapes) {
    if (!only.empty() && std::string(sh.name).find(only) == std::string::npos) continue;
    if (planes > 0) sh.P = planes;
    PoolGeom g;
    g.H = sh.H;
    g.W = sh.W;
    g.kH = g.kW = sh.k;
    g.sH = g.sW = sh.s;
    g.pH = g.pW = sh.p;
    g.dH = g.dW = 1;
    g.OH = out_size(g.H, g.kH, g.sH, g.pH, 1, false);
    g.OW = out_size(g.W, g.kW, g.sW, g.pW, 1, false);
    const int64_t nin = sh.P * g.H * g.W, nout = sh.P * g.OH * g.OW;
    for (const Mode& md : kModes) {
      if (!modes.empty() && (std::string(",") + modes + ",").find(std::string(",") + md.name + ",") == std::string::npos)
        continue;
      const size_t esz = md.f64 ? 8 : 4;
      void* in = std::aligned_alloc(64, (nin * esz + 63) / 64 * 64);
      void* out = std::aligned_alloc(64, (nout * esz + 63) / 64 * 64);
      void* idx = std::aligned_alloc(64, (nout * 8 + 63) / 64 * 64);
      Rng r(42);
      for (int64_t i = 0; i < nin; ++i) {
        const double v = (r.unit() - 0.5) * 100.0;
        if (md.f64)
          static_cast<double*>(in)[i] = v;
        else
          static_cast<float*>(in)[i] = static_cast<float>(v);
      }
      std::memset(out, 0, nout * esz);
      std::memset(idx, 0, nout * 8);
      std::printf("%-20s %-8s", sh.name, md.name);
      std::vector<double> med;
      for (auto* t : tabs) {
        auto pass = [&]() {
          for (int64_t p = 0; p < sh.P; ++p) {
            int64_t* i64 = md.idx == 1 ? static_cast<int64_t*>(idx) + p * g.OH * g.OW : nullptr;
            int32_t* i32 = md.idx == 2 ? static_cast<int32_t*>(idx) + p * g.OH * g.OW : nullptr;
            if (md.f64)
              t->pool_f64(g, static_cast<const double*>(in) + p * g.H * g.W, static_cast<double*>(out) + p * g.OH * g.OW,
                          i64, i32, 0, g.OH);
            else
              t->pool_f32(g, static_cast<const float*>(in) + p * g.H * g.W, static_cast<float*>(out) + p * g.OH * g.OW,
                          i64, i32, 0, g.OH);
          }
        };
        // warm-up + calibrate: aim for ~0.25 s per measurement, 15..2001 reps
        double t0 = now_us();
        pass();
        pass();
        const double one = (now_us() - t0) / 2;
        int64_t reps = reps_arg > 0 ? reps_arg : static_cast<int64_t>(250000.0 / (one > 1 ? one : 1));
        if (reps_arg <= 0) reps = std::max<int64_t>(15, std::min<int64_t>(2001, reps));
        std::vector<double> ts(reps);
        for (int64_t i = 0; i < reps; ++i) {
          const double a = now_us();
          pass();
          ts[i] = now_us() - a;
        }
        std::sort(ts.begin(), ts.end());
        const double v = use_min ? ts[0] : ts[reps / 2];
        med.push_back(v);
        std::printf(" %10.1f", v);
        std::fflush(stdout);
      }
      if (med.size() > 1) {
        std::printf("  ");
        for (size_t i = 1; i < med.size(); ++i) std::printf(" %6.1fx", med[0] / med[i]);
      }
      const double bytes = static_cast<double>(nin * esz + nout * esz + (md.idx == 1 ? nout * 8 : md.idx == 2 ? nout * 4 : 0));
      std::printf("   (%.1f MB moved; best %.0f GB/s)\n", bytes / 1e6, bytes / 1e3 / *std::min_element(med.begin(), med.end()));
      std::free(in);
      std::free(out);
      std::free(idx);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "check";
  int64_t cases = 20000, reps = 0, maxdim = 40;
  uint64_t seed = 1;
  std::string tables, only, modes;
  bool use_min = false;
  int64_t planes = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--cases")
      cases = std::atoll(val().c_str());
    else if (a == "--seed")
      seed = std::strtoull(val().c_str(), nullptr, 10);
    else if (a == "--tables")
      tables = val();
    else if (a == "--maxdim")
      maxdim = std::atoll(val().c_str());
    else if (a == "--reps")
      reps = std::atoll(val().c_str());
    else if (a == "--only")
      only = val();
    else if (a == "--modes")
      modes = val();
    else if (a == "--min")
      use_min = true;
    else if (a == "--planes")
      planes = std::atoll(val().c_str());
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (cmd == "check") return cmd_check(cases, seed, tables, maxdim);
  if (cmd == "bench") return cmd_bench(reps, tables, only, modes, use_min, planes);
  std::fprintf(stderr, "usage: kernel_bench check|bench [options]\n");
  return 2;
}
