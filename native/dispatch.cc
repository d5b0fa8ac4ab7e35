// Compiled without ISA flags: the feature checks must run on any CPU of the target architecture.
#include "dispatch.h"

#include <cstdlib>
#include <cstring>

namespace maxpool2d {
namespace {

std::vector<const KernelTable*> detect_cpu_kernels() {
  std::vector<const KernelTable*> tables;
#if defined(__x86_64__) || defined(_M_X64)
  // __builtin_cpu_supports also checks that the OS saves the YMM / ZMM state (XGETBV).
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  if (avx512) tables.push_back(&kAvx512Kernels);
  if (avx2) tables.push_back(&kAvx2Kernels);
#elif defined(__aarch64__)
  tables.push_back(&kNeonKernels);  // Advanced SIMD is mandatory on AArch64
#endif
  tables.push_back(&kScalarKernels);
  return tables;
}

// Applies MAXPOOL2D_ISA: keeps the named table and those below it, if the CPU supports it at all.
std::vector<const KernelTable*> apply_isa_cap(std::vector<const KernelTable*> tables) {
  const char* cap = std::getenv("MAXPOOL2D_ISA");
  if (cap == nullptr) return tables;
  for (size_t i = 0; i < tables.size(); ++i) {
    if (std::strcmp(tables[i]->name, cap) == 0) {
      tables.erase(tables.begin(), tables.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  return tables;
}

}  // namespace

const std::vector<const KernelTable*>& supported_kernels() {
  // Never destroyed, so a Worker still calling in while the process exits cannot see a freed vector.
  static const auto* const tables = new std::vector<const KernelTable*>(apply_isa_cap(detect_cpu_kernels()));
  return *tables;
}

const KernelTable& best_kernels() { return *supported_kernels().front(); }

const KernelTable* find_supported_kernels(const std::string& name) {
  for (const KernelTable* table : supported_kernels()) {
    if (name == table->name) return table;
  }
  return nullptr;
}

}  // namespace maxpool2d
