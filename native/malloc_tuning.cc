#include "malloc_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace maxpool2d {
namespace {

constexpr int kMmapThreshold = 32 << 20;  // glibc's largest allowed value on 64-bit
constexpr int kTrimThreshold = 64 << 20;

const char* g_state = "unavailable";

bool user_tunes_malloc() {
  for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  return tunables != nullptr && std::strstr(tunables, "glibc.malloc.") != nullptr;
}

const char* apply() {
  const char* opt = std::getenv("MAXPOOL2D_MALLOC_TUNING");
  if (opt != nullptr && std::strcmp(opt, "0") == 0) return "off";
  if (user_tunes_malloc()) return "user";
#if defined(__GLIBC__)
  // Both settings also turn off glibc's own threshold adjustment, which would otherwise follow the largest
  // freed mmap chunk (and set the trim threshold to twice that: too little for a GC's batch of frees).
  if (mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1) {
    return "applied";
  }
#endif
  return "unavailable";
}

}  // namespace

const char* malloc_tuning_state() noexcept { return g_state; }

void tune_malloc_once() noexcept {
  static std::once_flag once;
  try {
    std::call_once(once, [] { g_state = apply(); });
  } catch (...) {
  }
}

}  // namespace maxpool2d
