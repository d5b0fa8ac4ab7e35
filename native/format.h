// Number formatting for error messages, matching how JS prints the values users pass (no napi).
#pragma once

#include <string>

namespace maxpool2d {

// 5 -> "5", -0 -> "0", 1.5 -> "1.5", NaN -> "NaN", Infinity -> "Infinity".
std::string format_number(double value);

}  // namespace maxpool2d
