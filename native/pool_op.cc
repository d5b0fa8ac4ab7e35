#include "pool_op.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

#include "thread_pool.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>  // _mm_sfence (SSE2: part of x86-64 itself)
#endif

namespace maxpool2d {
namespace {

// More tasks than threads lets a thread that finishes early take over the rest (planes near the image
// border, or a thread descheduled by the OS), at the cost of a few more atomic claims.
constexpr int64_t kTasksPerThread = 4;

// A block of work: planes [plane_begin, plane_end), output rows [row_begin, row_end) of each.
struct PoolTask {
  int64_t plane_begin, plane_end, row_begin, row_end;
};

// Splits over planes first; when there are fewer planes than tasks wanted, splits each plane's output
// rows too, so 1x3xHxW still uses every thread.
class TaskSplit {
 public:
  TaskSplit(const PoolPlan& plan, int threads) : planes_(plan.planes), rows_(plan.geom.OH) {
    const int64_t wanted = threads * kTasksPerThread;
    if (planes_ >= wanted) {
      plane_tasks_ = wanted;
      row_blocks_ = 1;
    } else {
      plane_tasks_ = planes_;
      const int64_t blocks = (wanted + planes_ - 1) / planes_;
      row_blocks_ = blocks < rows_ ? blocks : (rows_ > 0 ? rows_ : 1);
    }
  }

  int64_t task_count() const { return plane_tasks_ * row_blocks_; }

  PoolTask task(int64_t t) const {
    const int64_t plane_task = t / row_blocks_, row_block = t % row_blocks_;
    return {plane_task * planes_ / plane_tasks_, (plane_task + 1) * planes_ / plane_tasks_,
            row_block * rows_ / row_blocks_, (row_block + 1) * rows_ / row_blocks_};
  }

 private:
  int64_t planes_, rows_, plane_tasks_, row_blocks_;
};

// An index buffer of the call's index type as the kernels take it: as int64 or as int32 (the other null), or
// neither. `at` is the call's own buffer (idx64_of / idx32_of) or a scratch plane standing in for part of it.
int64_t* idx64_at(const PoolCall& call, void* at) {
  return call.index_type == IndexType::kInt64 ? static_cast<int64_t*>(at) : nullptr;
}
int32_t* idx32_at(const PoolCall& call, void* at) {
  return call.index_type == IndexType::kInt32 ? static_cast<int32_t*>(at) : nullptr;
}
int64_t* idx64_of(const PoolCall& call) { return idx64_at(call, call.indices); }
int32_t* idx32_of(const PoolCall& call) { return idx32_at(call, call.indices); }

// Fresh outputs and indices (memory allocated for the call, so in no cache) of at least kStreamOutputBytes, in
// planes of kStreamMinPlaneBytes to kStreamPlaneBytes of values, are written in two steps: the kernel pools each
// plane into per-thread scratch planes that stay in L1, and KernelTable::stream_copy moves them out with streaming
// stores. A plain store to an uncached line reads it from memory first; on the ResNet stem (1x64x112x112 k3 s2
// p1, a 0.8 MB fresh output) that read cost a third of the call. Planes larger than L1 lose more to the extra pass
// than they save (1x64x224x224 k2 s2 got 17% slower), tiny ones lose to the per-copy costs, and a caller's `out`
// may well be in cache (a recycled buffer): those are written directly. Where tiny begins depends on the indices:
// SPPF's 20x20 planes (1.6 KB) gain without them (2 threads: 78-80 -> 65-68 us) and lose with them (8-12%).
constexpr int64_t kStreamOutputBytes = int64_t{512} << 10;
constexpr int64_t kStreamPlaneBytes = int64_t{16} << 10;
constexpr int64_t kStreamMinPlaneBytes = int64_t{1} << 10;         // values only
constexpr int64_t kStreamMinIndexedPlaneBytes = int64_t{2} << 10;  // values and indices
constexpr int64_t kStreamIndexPlaneBytes = 2 * kStreamPlaneBytes;  // int64 indices of a 16 KiB float32 plane

// This thread's scratch: a values plane, then an index plane; null if it could not be allocated (the caller then
// writes directly).
char* scratch_planes() {
  thread_local std::unique_ptr<char[]> scratch(new (std::nothrow) char[kStreamPlaneBytes + kStreamIndexPlaneBytes]);
  return scratch.get();
}

// Calls fn(in, out, idx64, idx32) for every plane of `task`, with the plane's bytes of the input and output
// and its index pointers (exactly one non-null, or neither: values only). Shared by every NCHW dtype path.
// `out` and the index pointer are the output's planes themselves, or scratch planes that are then streamed into
// the task's rows of the output.
template <typename Fn>
void for_each_plane(const KernelTable& kernels, const PoolCall& call, const PoolTask& task, Fn fn) {
  const PoolPlan& plan = call.plan;
  const int64_t size = elem_size(call.value_type), isize = index_bytes(call.index_type);
  const char* input = static_cast<const char*>(call.input);
  char* output = static_cast<char*>(call.output);
  char* indices = static_cast<char*>(call.indices);
  const bool stream = call.fresh_output && kernels.stream_copy != nullptr &&
                      plan.output_length * (size + isize) >= kStreamOutputBytes &&
                      plan.out_plane_size * size >= (isize > 0 ? kStreamMinIndexedPlaneBytes : kStreamMinPlaneBytes) &&
                      plan.out_plane_size * size <= kStreamPlaneBytes &&
                      plan.out_plane_size * isize <= kStreamIndexPlaneBytes;
  char* scratch = stream ? scratch_planes() : nullptr;
  char* scratch_idx = scratch ? scratch + kStreamPlaneBytes : nullptr;
  const int64_t row_at = task.row_begin * plan.geom.OW;
  const int64_t row_count = (task.row_end - task.row_begin) * plan.geom.OW;
  for (int64_t p = task.plane_begin; p < task.plane_end; ++p) {
    const int64_t out_offset = p * plan.out_plane_size;
    char* out = output + out_offset * size;
    char* idx = indices ? indices + out_offset * isize : nullptr;
    char* idx_dst = scratch && idx ? scratch_idx : idx;
    fn(input + p * plan.in_plane_size * size, scratch ? scratch : out, idx64_at(call, idx_dst),
       idx32_at(call, idx_dst));
    if (scratch) {
      kernels.stream_copy(out + row_at * size, scratch + row_at * size, static_cast<size_t>(row_count * size));
      if (idx) {
        const size_t bytes = static_cast<size_t>(row_count * isize);
        kernels.stream_copy(idx + row_at * isize, scratch_idx + row_at * isize, bytes);
      }
    }
  }
#if defined(__x86_64__) || defined(_M_X64)
  if (scratch) _mm_sfence();  // the streamed rows are visible before the task is handed back
#endif
}

// Inputs from this size up are taken to come from memory rather than the caches: the kernels may prefetch each
// next plane while they pool a whole plane (PoolGeom::prefetch_next_plane). Measured on the ResNet stem's planes
// (one thread, the same input pooled over and over): 6.4 MB of input 15-25% slower with the prefetches (it stays
// in L3), 12.8 MB 20-25% faster, 25.7 MB 30-40% faster.
constexpr int64_t kPrefetchInputBytes = int64_t{12} << 20;

template <typename T, typename KernelFn>
void pool_block(const KernelTable& kernels, KernelFn kernel, const PoolCall& call, const PoolTask& task) {
  const PoolPlan& plan = call.plan;
  PoolGeom prefetching = plan.geom;
  prefetching.prefetch_next_plane = plan.input_length * static_cast<int64_t>(sizeof(T)) >= kPrefetchInputBytes &&
                                    task.row_begin == 0 && task.row_end == plan.geom.OH;
  const T* last_plane = static_cast<const T*>(call.input) + (plan.planes - 1) * plan.in_plane_size;
  for_each_plane(kernels, call, task, [&](const void* in, void* out, int64_t* idx64, int32_t* idx32) {
    const T* plane = static_cast<const T*>(in);
    kernel(plane < last_plane ? prefetching : plan.geom, plane, static_cast<T*>(out), idx64, idx32, task.row_begin,
           task.row_end);
  });
}

using GenericNchwFn = void (*)(ElemType, const PoolGeom&, const void*, void*, int64_t*, int32_t*, int64_t, int64_t);
using GenericNhwcFn = void (*)(ElemType, const PoolGeom&, int64_t, const void*, void*, int64_t*, int32_t*, int64_t,
                               int64_t);

// The generic kernels' AVX2 build runs when the environment's ISA is avx2 or avx512 (so the CPU has AVX2 + FMA,
// as dispatch.cc checked); setIsa('scalar') brings back the baseline build too.
bool wide_generic(const KernelTable& kernels) {
#if defined(__x86_64__) || defined(_M_X64)
  return std::strcmp(kernels.name, "avx2") == 0 || std::strcmp(kernels.name, "avx512") == 0;
#else
  (void)kernels;
  return false;
#endif
}

GenericNchwFn generic_nchw_for(const KernelTable& kernels) {
#if defined(__x86_64__) || defined(_M_X64)
  if (wide_generic(kernels)) return pool_nchw_generic_avx2;
#endif
  (void)kernels;
  return pool_nchw_generic;
}

GenericNhwcFn generic_nhwc_for(const KernelTable& kernels) {
#if defined(__x86_64__) || defined(_M_X64)
  if (std::strcmp(kernels.name, "avx512") == 0) return pool_nhwc_avx512;
  if (wide_generic(kernels)) return pool_nhwc_avx2;
#endif
  (void)kernels;
  return pool_nhwc;
}

// Integer and half planes: the generic TU's kernel, one plane at a time like pool_block.
void generic_block(const KernelTable& kernels, GenericNchwFn kernel, const PoolCall& call, const PoolTask& task) {
  for_each_plane(kernels, call, task, [&](const void* in, void* out, int64_t* idx64, int32_t* idx32) {
    kernel(call.value_type, call.plan.geom, in, out, idx64, idx32, task.row_begin, task.row_end);
  });
}

bool is_avx512(const KernelTable& kernels) { return std::strcmp(kernels.name, "avx512") == 0; }

// Halves: pooled by the active table's float32 kernel (pool_nchw_half, see half_embed.h), one plane at a time.
void half_block(const KernelTable& kernels, const PoolCall& call, const PoolTask& task) {
  auto half = pool_nchw_half;
#if defined(__x86_64__) || defined(_M_X64)
  if (is_avx512(kernels)) half = pool_nchw_half_avx512;
#endif
  for_each_plane(kernels, call, task, [&](const void* in, void* out, int64_t* idx64, int32_t* idx32) {
    half(call.value_type, kernels.pool_f32, call.plan.geom, in, out, idx64, idx32, task.row_begin, task.row_end);
  });
}

#if defined(__x86_64__) || defined(_M_X64)
// Integer planes on AVX-512: the native kernels, plane by plane; a plane they leave goes to the generic kernel.
void int_avx512_block(const KernelTable& kernels, const PoolCall& call, const PoolTask& task) {
  const PoolGeom& g = call.plan.geom;
  for_each_plane(kernels, call, task, [&](const void* in, void* out, int64_t* idx64, int32_t* idx32) {
    if (!pool_nchw_int_avx512(call.value_type, g, in, out, idx64, idx32, task.row_begin, task.row_end)) {
      generic_nchw_for(kernels)(call.value_type, g, in, out, idx64, idx32, task.row_begin, task.row_end);
    }
  });
}
#endif

void pool_task(const KernelTable& kernels, const PoolCall& call, const PoolTask& task) {
  if (call.value_type == ValueType::kFloat32) {
    pool_block<float>(kernels, kernels.pool_f32, call, task);
  } else if (call.value_type == ValueType::kFloat64) {
    pool_block<double>(kernels, kernels.pool_f64, call, task);
  } else if (call.value_type == ValueType::kFloat16 || call.value_type == ValueType::kBFloat16) {
    half_block(kernels, call, task);
#if defined(__x86_64__) || defined(_M_X64)
  } else if (is_avx512(kernels)) {
    int_avx512_block(kernels, call, task);
#endif
  } else {
    generic_block(kernels, generic_nchw_for(kernels), call, task);
  }
}

// NHWC: output rows r = n * OH + oh in [r0, r1), all channels at once.
void nhwc_task(GenericNhwcFn kernel, const PoolCall& call, int64_t r0, int64_t r1) {
  kernel(call.value_type, call.plan.geom, call.channels, call.input, call.output, idx64_of(call), idx32_of(call), r0,
         r1);
}

// Output elements times window taps, saturating: the cost estimate that picks the thread count.
int64_t pool_work(const PoolPlan& plan) {
  int64_t taps = 0, work = 0;
  if (__builtin_mul_overflow(plan.geom.kH, plan.geom.kW, &taps) ||
      __builtin_mul_overflow(plan.output_length, taps, &work)) {
    return INT64_MAX;
  }
  return work;
}

}  // namespace

void run_pool(const KernelTable& kernels, const PoolCall& call, int max_threads) noexcept {
  if (call.plan.output_length == 0) return;
  const int threads = threads_for_work(pool_work(call.plan), max_threads);
  if (call.channels > 0) {
    const int64_t rows = call.plan.planes / call.channels * call.plan.geom.OH;  // N * OH
    const GenericNhwcFn kernel = generic_nhwc_for(kernels);
#if defined(__x86_64__) || defined(_M_X64)
    // Separable (stride-1 rows) calls on AVX-512 split channels first, in blocks of 64 (whole channel chunks
    // of the kernel for every dtype's index traits): a row range recomputes the kH - 1 input rows it shares
    // with the range before it, a channel range shares nothing. Rows are split too when channels run out.
    if (threads > 1 && is_avx512(kernels) && pool_nhwc_avx512_separable(call.value_type, call.plan.geom)) {
      const int64_t C = call.channels, wanted = static_cast<int64_t>(threads) * kTasksPerThread;
      const int64_t blocks = (C + 63) / 64;
      const int64_t ctasks = blocks < wanted ? blocks : wanted;
      int64_t rtasks = (wanted + ctasks - 1) / ctasks;
      if (rtasks > rows) rtasks = rows;
      auto run_block = [&](int64_t t) {
        // Tasks claimed one after the other run at the same time: give them channel blocks half the range apart,
        // so two threads do not write the cache line where neighbouring blocks meet in every pixel.
        const int64_t half = (ctasks + 1) / 2, rt = t / ctasks, ct = t % ctasks % 2 * half + t % ctasks / 2;
        const int64_t c0 = ct * blocks / ctasks * 64, c1 = std::min(C, (ct + 1) * blocks / ctasks * 64);
        pool_nhwc_avx512_channels(call.value_type, call.plan.geom, C, c0, c1, call.input, call.output, idx64_of(call),
                                  idx32_of(call), rt * rows / rtasks, (rt + 1) * rows / rtasks);
      };
      parallel_for(ctasks * rtasks, threads, TaskRef(run_block));
      return;
    }
#endif
    if (threads == 1) {
      nhwc_task(kernel, call, 0, rows);
      return;
    }
    int64_t tasks = static_cast<int64_t>(threads) * kTasksPerThread;
    if (tasks > rows) tasks = rows;
    auto run_rows = [&](int64_t t) { nhwc_task(kernel, call, t * rows / tasks, (t + 1) * rows / tasks); };
    parallel_for(tasks, threads, TaskRef(run_rows));
    return;
  }
  if (threads == 1) {
    pool_task(kernels, call, {0, call.plan.planes, 0, call.plan.geom.OH});
    return;
  }
  const TaskSplit split(call.plan, threads);
  auto run_task = [&](int64_t t) { pool_task(kernels, call, split.task(t)); };
  parallel_for(split.task_count(), threads, TaskRef(run_task));
}

}  // namespace maxpool2d
