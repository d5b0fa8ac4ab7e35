#include "format.h"

#include <cmath>
#include <cstdio>

namespace maxpool2d {

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char text[32];
  if (std::floor(value) == value && std::fabs(value) < 1e21) {
    std::snprintf(text, sizeof text, "%.0f", value == 0 ? 0.0 : value);  // also turns -0 into 0, as JS does
  } else {
    std::snprintf(text, sizeof text, "%.17g", value);
  }
  return text;
}

}  // namespace maxpool2d
