// The shape of KernelTable::stream_copy, shared by the ISA TUs that have streaming stores: plain copies up to
// the first kWidth-aligned byte of dst and after the last whole kWidth block, and `store(d, s)` (one streaming
// store of kWidth bytes to an aligned d) in between. Each TU passes its own store, compiled with its own flags.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace maxpool2d {
namespace {

template <size_t kWidth, typename Store>
inline void stream_copy_blocks(void* dst, const void* src, size_t bytes, Store store) {
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  const size_t head = std::min(bytes, (kWidth - reinterpret_cast<uintptr_t>(d) % kWidth) % kWidth);
  std::memcpy(d, s, head);
  size_t i = head;
  for (; i + kWidth <= bytes; i += kWidth) store(d + i, s + i);
  std::memcpy(d + i, s + i, bytes - i);
}

}  // namespace
}  // namespace maxpool2d
