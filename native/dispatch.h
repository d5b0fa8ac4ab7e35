// Which kernel table (ISA) this CPU can run. Detected once per process; each JS environment then keeps
// its own current choice (see addon.cc), so setIsa() in one Worker never changes another's kernels.
#pragma once

#include <string>
#include <vector>

#include "kernels/kernel_api.h"

namespace maxpool2d {

// Tables this process may use, best first, always ending with scalar. MAXPOOL2D_ISA=<name> drops the
// ones above <name>: it can lower the choice, never raise it (unknown or unsupported names are ignored).
const std::vector<const KernelTable*>& supported_kernels();

// The best of supported_kernels().
const KernelTable& best_kernels();

// The supported table called `name`, or null.
const KernelTable* find_supported_kernels(const std::string& name);

}  // namespace maxpool2d
