// Errors from system calls: a JavaScript Error with errno, its name and the call.
#pragma once
#include <napi.h>
#include <uv.h>
#include <cstring>
#include <string>

namespace tsipa {

inline Napi::Error SystemError(Napi::Env env, int err, const char* call, const std::string& detail = "") {
  std::string message = std::string(call) + ": " + std::strerror(err);
  if (!detail.empty()) message += " (" + detail + ")";
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("code", Napi::String::New(env, uv_err_name(-err)));
  error.Set("syscall", Napi::String::New(env, call));
  return error;
}

inline Napi::Error ProtocolError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

// Reads an fd-number argument, throwing a TypeError if it is not one.
inline int FdArg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(index + 1) + " must be an fd number");
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (value < 0 || value > 0x7fffffff || value != static_cast<int>(value)) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(index + 1) + " must be an fd number");
  }
  return static_cast<int>(value);
}

}  // namespace tsipa
