// Argument checks shared by open() and the socket methods.
//
// The addon is built without C++ exceptions, so every check returns false with a TypeError or
// RangeError already pending in JavaScript; the caller just returns. Wrong types are a
// TypeError, right type but unusable value (NaN, fraction, out of range) a RangeError, the way
// Node's own validators split them.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

namespace nlctl {

inline bool ThrowTypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

inline bool ThrowRangeError(Napi::Env env, const std::string& message) {
  Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

// info[index] as an integer in [min, max]. Only a JS number is accepted (no BigInt, no
// numeric strings), so a caller's type confusion surfaces instead of being coerced.
inline bool IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* name,
                       int64_t min, int64_t max, int64_t* out) {
  Napi::Env env = info.Env();
  Napi::Value value = info[index];
  if (!value.IsNumber()) {
    return ThrowTypeError(env, std::string("The \"") + name + "\" argument must be a number");
  }
  double d = value.As<Napi::Number>().DoubleValue();
  // Written so that NaN fails the range test (every comparison with NaN is false).
  if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) || std::trunc(d) != d) {
    return ThrowRangeError(env, std::string("The \"") + name + "\" argument must be an integer from " +
                                    std::to_string(min) + " to " + std::to_string(max));
  }
  *out = static_cast<int64_t>(d);
  return true;
}

// A C int (option levels, names and values, recvmsg flags are all int in the syscalls).
inline bool IntArg(const Napi::CallbackInfo& info, size_t index, const char* name, int* out) {
  int64_t v = 0;
  if (!IntegerArg(info, index, name, std::numeric_limits<int>::min(),
                  std::numeric_limits<int>::max(), &v)) {
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// A non-negative C int.
inline bool NonNegativeIntArg(const Napi::CallbackInfo& info, size_t index, const char* name,
                              int* out) {
  int64_t v = 0;
  if (!IntegerArg(info, index, name, 0, std::numeric_limits<int>::max(), &v)) return false;
  *out = static_cast<int>(v);
  return true;
}

// A u32 (sockaddr_nl's nl_pid and nl_groups).
inline bool Uint32Arg(const Napi::CallbackInfo& info, size_t index, const char* name,
                      uint32_t* out) {
  int64_t v = 0;
  if (!IntegerArg(info, index, name, 0, std::numeric_limits<uint32_t>::max(), &v)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

// info[index] as the bytes of a Uint8Array (a Buffer is one). With allow_null, null means "no
// bytes". A view on a detached or shrunk ArrayBuffer reads as zero bytes: V8 reports its length
// as 0, and the pointer is normalised to nullptr so nobody dereferences a stale one.
inline bool BytesArg(const Napi::CallbackInfo& info, size_t index, const char* name,
                     bool allow_null, uint8_t** data, size_t* length) {
  Napi::Env env = info.Env();
  Napi::Value value = info[index];
  *data = nullptr;
  *length = 0;
  if (allow_null && value.IsNull()) return true;
  napi_typedarray_type type = napi_int8_array;
  bool is_typedarray = false;
  if (napi_is_typedarray(env, value, &is_typedarray) != napi_ok || !is_typedarray ||
      napi_get_typedarray_info(env, value, &type, length, reinterpret_cast<void**>(data),
                               nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array) {
    *data = nullptr;
    *length = 0;
    return ThrowTypeError(env, std::string("The \"") + name + "\" argument must be a Uint8Array" +
                                   (allow_null ? " or null" : ""));
  }
  if (*data == nullptr || *length == 0) {
    *data = nullptr;
    *length = 0;
  }
  return true;
}

}  // namespace nlctl
