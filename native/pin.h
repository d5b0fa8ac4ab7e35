// Zero-copy async calls: keeps the memory of a caller's ArrayBuffer in place while a kernel reads or writes it
// on another thread. Node-API cannot hold a backing store, so the addon asks Node itself: it marks the buffer
// with `worker_threads.markAsUntransferable` (reached through `process.getBuiltinModule`), after which
// postMessage / structuredClone cannot move it and, where Node uses V8's detach key (Node 21+),
// `ArrayBuffer.prototype.transfer()` throws too. A start-up probe checks that claim on the running Node; when
// it does not hold (or the function is missing: Node < 20.16), or the buffer is resizable, the caller copies.
#pragma once
#include <napi.h>

namespace maxpool2d {

class BufferPinner {
 public:
  // Looks up markAsUntransferable and probes that a marked buffer can no longer be detached.
  explicit BufferPinner(Napi::Env env);

  // True if the memory behind `typed_array` stays put, at its length, until the caller lets go of its
  // reference: SharedArrayBuffer-backed (never detached, never shrunk), or a fixed-length ArrayBuffer that is
  // now marked untransferable. False: the caller must work on a copy.
  bool pin(const Napi::Value& typed_array);

  bool available() const { return !mark_.IsEmpty(); }

 private:
  Napi::FunctionReference mark_;
};

}  // namespace maxpool2d
