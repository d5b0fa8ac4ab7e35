// One process-wide pool of persistent worker threads, shared by every JS environment (main thread and
// Workers) that loads the addon. Plain C++: it never touches napi, so async work can use it as well.
#pragma once

#include <cstdint>
#include <type_traits>

namespace maxpool2d {

constexpr int kMaxThreads = 1024;

// Below this much work per thread (output elements x window taps, or elements moved) waking a helper
// costs more than it saves, so small calls stay on the calling thread.
constexpr int64_t kMinWorkPerThread = 64 * 1024;

// A borrowed callable `void(int64_t task)`, so a parallel loop never allocates.
class TaskRef {
 public:
  // Disabled for F = TaskRef, so copying a TaskRef copies it instead of wrapping the copy's source.
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, TaskRef>>>
  explicit TaskRef(F& fn) : context_(&fn), call_([](void* c, int64_t task) { (*static_cast<F*>(c))(task); }) {}
  void operator()(int64_t task) const { call_(context_, task); }

 private:
  void* context_;
  void (*call_)(void*, int64_t);
};

// Runs fn(task) for every task in [0, task_count) on up to `threads` threads, the caller included, and
// returns when all are done. Safe to call from several threads at once. `fn` must not throw.
// Inside a BackgroundScope the caller only waits and the tasks run on the background pool instead.
void parallel_for(int64_t task_count, int threads, TaskRef fn) noexcept;

// How much the background pool's workers lower their priority (Linux nice levels; 0 elsewhere).
constexpr int kBackgroundNice = 10;

// While one is alive on a thread, parallel_for calls from that thread run entirely on a second process-wide
// pool whose workers have a lower scheduling priority. Async work (on libuv's threads) uses it: the event
// loop's thread then wins the CPU whenever it has something to do, and at most `threads` kernels run at once
// however many libuv threads wait on them.
class BackgroundScope {
 public:
  BackgroundScope() noexcept;
  ~BackgroundScope();
  BackgroundScope(const BackgroundScope&) = delete;
  BackgroundScope& operator=(const BackgroundScope&) = delete;

 private:
  bool outer_;
};

// Threads to use for `work` units when at most `max_threads` are allowed: one per kMinWorkPerThread.
int threads_for_work(int64_t work, int max_threads) noexcept;

// Default thread count: MAXPOOL2D_NUM_THREADS if set to 1..kMaxThreads, else the CPUs this process may
// run on; setNumThreads() replaces it.
int default_thread_count() noexcept;
void set_default_thread_count(int threads) noexcept;

// The thread budget for one call: `requested` (>= 1) caps the default; 0 means the default.
int call_thread_count(int requested) noexcept;

}  // namespace maxpool2d
