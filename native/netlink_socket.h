// One AF_NETLINK socket owned by JavaScript through a handle object (never a raw fd number, so a
// bug in JS cannot close or read someone else's descriptor), plus the per-environment state
// that lets the addon be loaded in several worker_threads at once.
#pragma once

#include <napi.h>
#include <uv.h>

#include <unordered_set>

namespace nlctl {

class NetlinkSocket;
struct RecvWork;

// Per-environment state, stored as Node-API instance data: the main thread and every Worker get
// their own, and nothing is shared between them.
struct AddonData {
  ~AddonData();

  Napi::FunctionReference constructor;
  // Every socket of this environment whose fd is still open, so the environment cleanup hook
  // can close them when a Worker ends (and before the loop of that Worker is closed).
  std::unordered_set<NetlinkSocket*> open_sockets;
  // open() passes the new fd to the constructor through here. Outside that window pending_fd
  // is -1, which is how the constructor refuses a `new` coming from JavaScript.
  int pending_fd = -1;
  int pending_protocol = 0;
};

class NetlinkSocket : public Napi::ObjectWrap<NetlinkSocket> {
 public:
  // Defines the class (methods on the prototype) for this environment.
  static Napi::Function DefineClass(Napi::Env env);

  explicit NetlinkSocket(const Napi::CallbackInfo& info);
  ~NetlinkSocket() override;
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;

  // Stops polling and closes the fd; returns 0 or -errno of close(2), 0 when already closed.
  // With release_js false (from the destructor) the JavaScript-side references are left alone,
  // because the object they belong to is being finalized.
  int Close(bool release_js);

  // The object `this` of a call, if it really is one of our sockets; otherwise a TypeError is
  // pending and nullptr is returned. Methods are reached only through this check.
  static NetlinkSocket* FromThis(const Napi::CallbackInfo& info);

  // Detaches the socket from the environment state that is being torn down.
  void ForgetAddon() { addon_ = nullptr; }

  Napi::Value GetProtocol(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value GetSockName(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value Recv(const Napi::CallbackInfo& info);
  Napi::Value RecvAsync(const Napi::CallbackInfo& info);
  Napi::Value SetSockOpt(const Napi::CallbackInfo& info);
  Napi::Value GetSockOpt(const Napi::CallbackInfo& info);
  Napi::Value GetSockOptBytes(const Napi::CallbackInfo& info);
  Napi::Value AttachFilter(const Napi::CallbackInfo& info);
  Napi::Value DetachFilter(const Napi::CallbackInfo& info);
  Napi::Value Poll(const Napi::CallbackInfo& info);
  Napi::Value StopPoll(const Napi::CallbackInfo& info);
  // ref()/unref() from JS; named apart from ObjectWrap's own Ref()/Unref() of the JS object.
  Napi::Value RefLoop(const Napi::CallbackInfo& info);
  Napi::Value UnrefLoop(const Napi::CallbackInfo& info);
  Napi::Value CloseMethod(const Napi::CallbackInfo& info);

 private:
  static void OnReadable(uv_poll_t* handle, int status, int events);
  static void RecvWorkExecute(napi_env env, void* data);
  static void RecvWorkComplete(napi_env env, napi_status status, void* data);
  static void OnPollHandleClosed(uv_handle_t* handle);
  void Dispatch(int status);
  void StopWatching(bool release_js);
  void DestroyAsyncContext();

  napi_env env_;
  AddonData* addon_;
  int fd_ = -1;
  int protocol_ = 0;

  // Allocated on the first poll() and owned by libuv from uv_close() until its close callback
  // frees it, so closing from inside the poll callback never frees memory libuv still uses.
  uv_poll_t* poll_handle_ = nullptr;
  bool watching_ = false;
  bool loop_ref_ = true;  // ref()/unref() setting, applied whenever the handle exists
  bool pinned_ = false;   // holds a strong reference to the JS object while watching
  int dispatch_depth_ = 0;
  Napi::FunctionReference on_readable_;
  napi_async_context async_context_ = nullptr;

  // A recvAsync() running on the thread pool, or nullptr. While it runs it owns the use of the
  // fd: Close() leaves close(2) to it, so the descriptor number is never reused under it.
  RecvWork* recv_work_ = nullptr;
};

}  // namespace nlctl
