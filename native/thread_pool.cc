#include "thread_pool.h"

#include <sched.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

namespace maxpool2d {
namespace {

// One parallel_for call. It lives on the caller's stack: the caller takes it off the queue and waits for
// every helper to leave before returning, so no worker ever holds a dangling pointer.
struct Job {
  explicit Job(TaskRef f, int64_t count) : fn(f), task_count(count) {}
  TaskRef fn;
  const int64_t task_count;
  std::atomic<int64_t> next_task{0};
  int helpers_wanted = 0;    // guarded by the pool mutex, as are the three below
  int helpers_joined = 0;
  // Changed under the mutex only; atomic so that the caller can also poll it without the mutex for the last
  // helper instead of sleeping on `helpers_left`.
  std::atomic<int> helpers_running{0};
  bool queued = false;
  std::condition_variable helpers_left;

  // Claims tasks one at a time until none are left; shared by the caller and its helpers.
  void run_tasks() {
    for (int64_t t = next_task.fetch_add(1, std::memory_order_relaxed); t < task_count;
         t = next_task.fetch_add(1, std::memory_order_relaxed)) {
      fn(t);
    }
  }
};

class ThreadPool {
 public:
  // `nice` > 0: workers lower their own scheduling priority by that much when they start (Linux).
  // `spin_us` > 0: a worker that finishes a job polls for the next one that long before it sleeps, so calls made
  // back to back (a model's layers, a server's batch) do not pay a futex wake-up each.
  ThreadPool(int nice, int spin_us) : nice_(nice), spin_(std::chrono::microseconds(spin_us)) {}

  void run(Job& job, int helpers) {
    helpers = enqueue(job, helpers);
    for (int i = 0; i < helpers; ++i) work_available_.notify_one();

    job.run_tasks();  // the caller always works too, so a busy pool never stalls it
    if (helpers == 0) return;

    std::unique_lock<std::mutex> lock(mutex_);
    if (job.queued) dequeue(job);
    if (job.helpers_running != 0 && spin_.count() > 0) {
      // A helper is finishing its last task, typically for a few microseconds: poll for it rather than
      // sleep, since waking a sleeping thread (on a VM: an idle virtual CPU) takes far longer than that.
      lock.unlock();
      spin_until([&job] { return job.helpers_running.load(std::memory_order_acquire) == 0; });
      lock.lock();  // the helper decremented under the lock: once we hold it, it no longer touches `job`
    }
    job.helpers_left.wait(lock, [&job] { return job.helpers_running == 0; });
  }

  // The caller only waits: every task runs on the pool's workers (it runs them itself only if no worker
  // could be started).
  void run_on_workers(Job& job, int helpers) {
    helpers = enqueue(job, helpers);
    if (helpers == 0) {
      job.run_tasks();
      return;
    }
    for (int i = 0; i < helpers; ++i) work_available_.notify_one();
    std::unique_lock<std::mutex> lock(mutex_);
    // The last helper to join dequeues the job; once all have left, every task has run.
    job.helpers_left.wait(lock, [&job] { return !job.queued && job.helpers_running == 0; });
  }

 private:
  // Queues `job` for up to `helpers` workers and returns how many it may get: fewer when threads could
  // not be started, 0 on any failure, in which case the caller simply does all the work.
  int enqueue(Job& job, int helpers) noexcept {
    try {
      std::lock_guard<std::mutex> lock(mutex_);
      start_workers(helpers);
      if (helpers > worker_count_) helpers = worker_count_;
      if (helpers == 0) return 0;
      queue_.push_back(&job);
      queued_.store(static_cast<int>(queue_.size()), std::memory_order_release);
      job.helpers_wanted = helpers;
      job.queued = true;
      return helpers;
    } catch (...) {
      return 0;
    }
  }

  // Workers are started lazily and kept. They are detached and never joined: the pool is never
  // destroyed, so at process exit they are parked on the condition variable when the OS reclaims them.
  void start_workers(int wanted) {
    while (worker_count_ < wanted) {
      try {
        std::thread([this] { worker_loop(); }).detach();
      } catch (const std::system_error&) {
        return;  // out of threads: run with the workers we have
      }
      ++worker_count_;
    }
  }

  void dequeue(Job& job) {
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (*it == &job) {
        queue_.erase(it);
        queued_.store(static_cast<int>(queue_.size()), std::memory_order_release);
        break;
      }
    }
    job.queued = false;
  }

  void worker_loop() {
#ifdef __linux__
    // On Linux, PRIO_PROCESS with a thread id renices just that thread.
    if (nice_ > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice_);
#endif
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (queue_.empty() && spin_.count() > 0) {
        lock.unlock();
        spin_until([this] { return queued_.load(std::memory_order_acquire) != 0; });
        lock.lock();
      }
      work_available_.wait(lock, [this] { return !queue_.empty(); });
      Job& job = *queue_.front();
      // The last helper a job wants takes it off the queue, so later wake-ups go to the next job.
      if (++job.helpers_joined == job.helpers_wanted) dequeue(job);
      ++job.helpers_running;
      lock.unlock();
      job.run_tasks();
      lock.lock();
      // Notify under the lock: once the caller sees zero it returns and `job` is gone.
      if (--job.helpers_running == 0 && !job.queued) job.helpers_left.notify_one();
    }
  }

  // Polls `done()` (it must read only atomics: no lock is held) until it holds or `spin_` has passed.
  template <typename Done>
  void spin_until(Done done) const {
    const auto deadline = std::chrono::steady_clock::now() + spin_;
    for (;;) {
      for (int i = 0; i < 64; ++i) {
        if (done()) return;
        cpu_relax();
      }
      if (std::chrono::steady_clock::now() >= deadline) return;
    }
  }

  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  std::mutex mutex_;
  std::condition_variable work_available_;
  std::atomic<int> queued_{0};  // queue_.size(), readable without the mutex
  std::deque<Job*> queue_;
  int worker_count_ = 0;
  const int nice_;
  const std::chrono::microseconds spin_;
};

// How long an idle foreground worker polls before it sleeps (the background pool never polls: its work is
// async, and polling would take CPU from the event loop it exists to spare).
constexpr int kSpinMicros = 50;

// Leaked on purpose: destroying the pool at exit would race with parked workers, and a Worker's exit
// must never tear down threads that other environments share.
// Returns null only if the pool cannot even be allocated; callers then run single-threaded.
ThreadPool* shared_pool() noexcept {
  try {
    static ThreadPool* const instance = new ThreadPool(0, kSpinMicros);
    return instance;
  } catch (...) {
    return nullptr;
  }
}

// Async calls: a second pool whose workers run at a lower priority than the JS threads, so a busy machine
// still schedules the event loop first. Its size is bounded the same way, so it never oversubscribes more.
ThreadPool* background_pool() noexcept {
  try {
    static ThreadPool* const instance = new ThreadPool(kBackgroundNice, 0);
    return instance;
  } catch (...) {
    return nullptr;
  }
}

thread_local bool in_background_scope = false;

int usable_cpu_count() {
#ifdef __linux__
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) {
    const int n = CPU_COUNT(&cpus);
    if (n > 0) return n;
  }
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

int clamp_threads(int64_t n) { return n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : static_cast<int>(n); }

int initial_thread_count() {
  if (const char* text = std::getenv("MAXPOOL2D_NUM_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(text, &end, 10);
    if (end != text && *end == '\0' && n >= 1 && n <= kMaxThreads) return static_cast<int>(n);
  }
  return clamp_threads(usable_cpu_count());
}

std::atomic<int>& thread_count_setting() {
  static std::atomic<int> setting{initial_thread_count()};
  return setting;
}

}  // namespace

BackgroundScope::BackgroundScope() noexcept : outer_(in_background_scope) { in_background_scope = true; }
BackgroundScope::~BackgroundScope() { in_background_scope = outer_; }

void parallel_for(int64_t task_count, int threads, TaskRef fn) noexcept {
  if (task_count <= 0) return;
  const int64_t workers = threads < task_count ? threads : task_count;
  Job job(fn, task_count);
  if (in_background_scope) {
    ThreadPool* pool = background_pool();
    if (pool == nullptr) {
      job.run_tasks();
    } else {
      pool->run_on_workers(job, static_cast<int>(workers < 1 ? 1 : workers));
    }
    return;
  }
  const int64_t helpers = workers - 1;
  ThreadPool* pool = helpers > 0 ? shared_pool() : nullptr;
  if (pool == nullptr) {
    job.run_tasks();
    return;
  }
  pool->run(job, static_cast<int>(helpers));
}

int threads_for_work(int64_t work, int max_threads) noexcept {
  const int64_t by_work = work / kMinWorkPerThread;
  return clamp_threads(by_work < max_threads ? by_work : max_threads);
}

int default_thread_count() noexcept { return thread_count_setting().load(std::memory_order_relaxed); }

void set_default_thread_count(int threads) noexcept {
  thread_count_setting().store(clamp_threads(threads), std::memory_order_relaxed);
}

int call_thread_count(int requested) noexcept {
  const int setting = default_thread_count();
  return requested >= 1 && requested < setting ? requested : setting;
}

}  // namespace maxpool2d
