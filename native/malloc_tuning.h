// glibc's malloc and JS garbage collection: why the addon raises two malloc thresholds when it loads.
#pragma once

namespace maxpool2d {

// What tune_malloc_once() did: "applied", "off" (MAXPOOL2D_MALLOC_TUNING=0), "user" (the process already sets
// glibc's malloc thresholds through MALLOC_*_ or GLIBC_TUNABLES, left as they are), "unavailable" (not glibc,
// or glibc refused).
const char* malloc_tuning_state() noexcept;

// Once per process (every environment's init calls it). Outputs are fresh ArrayBuffers from malloc, and the JS
// garbage collector frees them in batches (tens of MB at a time). With glibc's defaults each batch makes the heap
// top exceed the trim threshold, the heap is handed back to the OS, and the next outputs fault every page in again
// (a 3.2 MB output: ~240 faults, more than the pooling itself costs on a VM). This keeps allocations below 32 MiB on
// the heap and lets up to 64 MiB of free heap top stay mapped.
void tune_malloc_once() noexcept;

}  // namespace maxpool2d
