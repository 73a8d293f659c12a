// A POSIX shared-memory segment mapped into this process and exposed to JavaScript as an
// external ArrayBuffer. The TypeScript side reads and writes the ring through that buffer;
// this class only creates, opens, validates, maps and unmaps.
#ifndef SEAMLESS_SEGMENT_H
#define SEAMLESS_SEGMENT_H

#include <napi.h>

#include <cstddef>
#include <memory>
#include <string>

namespace seamless {

// The mapping outlives whichever of its two owners goes last: the Segment object and the
// ArrayBuffer's finalizer. Unmap() is idempotent.
class Mapping {
 public:
  Mapping(void* address, size_t bytes) : address_(address), bytes_(bytes) {}
  ~Mapping();
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  void Unmap();
  void* address() const { return address_; }
  size_t bytes() const { return bytes_; }
  bool mapped() const { return address_ != nullptr; }

 private:
  void* address_;
  size_t bytes_;
};

class Segment : public Napi::ObjectWrap<Segment> {
 public:
  static Napi::Function Initialize(Napi::Env env);
  explicit Segment(const Napi::CallbackInfo& info);
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // Null once closed.
  uint8_t* data() const;
  size_t bytes() const { return mapping_ ? mapping_->bytes() : 0; }

 private:
  static Napi::Value Create(const Napi::CallbackInfo& info);
  static Napi::Value Open(const Napi::CallbackInfo& info);
  static Napi::Value Unlink(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetBuffer(const Napi::CallbackInfo& info);
  Napi::Value GetName(const Napi::CallbackInfo& info);
  Napi::Value GetByteLength(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);

  void Adopt(Napi::Env env, const std::string& name, std::shared_ptr<Mapping> mapping);

  std::string name_;
  std::shared_ptr<Mapping> mapping_;
  Napi::Reference<Napi::ArrayBuffer> buffer_;
};

}  // namespace seamless

#endif  // SEAMLESS_SEGMENT_H
