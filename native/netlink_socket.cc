// The socket handle: one method per system call, results as numbers (>= 0, or -errno) or small
// objects, so that EAGAIN on a non-blocking socket costs no exception. Only a wrong argument
// throws. No netlink message is ever parsed here.
#include "netlink_socket.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "args.h"

namespace nlctl {

namespace {

// Marks objects created by this class. Node-API keeps one wrap slot per object for every addon
// in the process, so napi_unwrap alone would happily return another addon's C++ object if a
// method were called with a foreign `this` (`sock.bind.call(otherAddonObject)`). The tag is
// checked before any unwrap. The value is arbitrary but must be unique to this class.
constexpr napi_type_tag kSocketTypeTag = {0x6e6c63746c736f63ULL, 0x6b65742d76310a01ULL};

// Big enough for the two control messages we decode (NETLINK_PKTINFO: u32, NETLINK_LISTEN_ALL_NSID:
// int) plus any other a caller might enable (SO_PASSCRED adds a struct ucred). If it is still too
// small the kernel only sets MSG_CTRUNC, which the caller sees in `flags`.
constexpr size_t kControlSize = 256;

// Calls a member function after checking `this`. Every prototype method and getter goes through
// here instead of ObjectWrap's own wrappers, which unwrap without the type-tag check.
template <Napi::Value (NetlinkSocket::*Method)(const Napi::CallbackInfo&)>
napi_value Checked(napi_env env, napi_callback_info cbinfo) {
  Napi::CallbackInfo info(env, cbinfo);
  NetlinkSocket* self = NetlinkSocket::FromThis(info);
  if (self == nullptr) return nullptr;
  return (self->*Method)(info);
}

napi_property_descriptor MethodDescriptor(const char* name, napi_callback cb) {
  napi_property_descriptor d{};
  d.utf8name = name;
  d.method = cb;
  d.attributes = static_cast<napi_property_attributes>(napi_writable | napi_configurable);
  return d;
}

napi_property_descriptor GetterDescriptor(const char* name, napi_callback cb) {
  napi_property_descriptor d{};
  d.utf8name = name;
  d.getter = cb;
  d.attributes = napi_configurable;
  return d;
}

Napi::Value Errno(Napi::Env env, int err) { return Napi::Number::New(env, -err); }

// The largest buffer recvAsync() allocates: far above any netlink datagram (the kernel caps
// dump datagrams at 32 KiB unless one message is larger), and a bound on what JS can ask for.
constexpr double kMaxAsyncBuffer = 64.0 * 1024 * 1024;

// Sets obj[name] = v. Plain Node-API calls, each checked, here and in ReceivedObject: they also
// run in recvAsync's completion while a Worker is torn down, where node-addon-api's wrappers
// would turn a refused call into a fatal error.
bool SetNumber(napi_env env, napi_value obj, const char* name, double v) {
  napi_value n = nullptr;
  return napi_create_double(env, v, &n) == napi_ok && napi_set_named_property(env, obj, name, n) == napi_ok;
}

// One recvmsg(2): the sender address and control messages it fills in (recv() keeps one on the
// stack, recvAsync() in its work, as the thread fills it).
struct Received {
  sockaddr_nl sa{};
  iovec iov{};
  msghdr msg{};
  alignas(cmsghdr) unsigned char control[kControlSize];
};

// recvmsg(2) into data[0, length) with MSG_TRUNC added: netlink then returns the real datagram
// length even when the buffer is smaller, which is how callers size their buffer. Returns n or
// -errno; EINTR is retried.
ssize_t ReceiveInto(int fd, Received& r, uint8_t* data, size_t length, int flags) {
  r.iov = {data, length};
  r.msg = msghdr{};
  r.msg.msg_name = &r.sa;
  r.msg.msg_namelen = sizeof r.sa;
  r.msg.msg_iov = &r.iov;
  r.msg.msg_iovlen = 1;
  r.msg.msg_control = r.control;
  r.msg.msg_controllen = sizeof r.control;
  ssize_t n;
  do {
    n = ::recvmsg(fd, &r.msg, flags | MSG_TRUNC);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
}

// What recvmsg(2) saw, as the object recv() and recvAsync() return: n, flags, sender, and the
// control messages we decode; nullptr when Node-API refuses. The one piece of decoding done
// here: cmsghdr's size and alignment depend on the architecture (cmsg_len is a size_t), so
// the CMSG_* macros must walk.
napi_value ReceivedObject(napi_env env, ssize_t n, Received& r) {
  msghdr& msg = r.msg;
  const sockaddr_nl& sa = r.sa;
  napi_value o = nullptr;
  if (napi_create_object(env, &o) != napi_ok || !SetNumber(env, o, "n", static_cast<double>(n)) ||
      !SetNumber(env, o, "flags", msg.msg_flags) || !SetNumber(env, o, "portid", sa.nl_pid) ||
      !SetNumber(env, o, "groups", sa.nl_groups)) {
    return nullptr;
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_NETLINK) continue;
    if (c->cmsg_type == NETLINK_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(nl_pktinfo))) {
      nl_pktinfo pktinfo;
      std::memcpy(&pktinfo, CMSG_DATA(c), sizeof pktinfo);
      if (!SetNumber(env, o, "group", pktinfo.group)) return nullptr;
    } else if (c->cmsg_type == NETLINK_LISTEN_ALL_NSID && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int nsid;
      std::memcpy(&nsid, CMSG_DATA(c), sizeof nsid);
      if (!SetNumber(env, o, "nsid", nsid)) return nullptr;
    }
  }
  return o;
}

Napi::Value Closed(Napi::Env env) { return Errno(env, EBADF); }

}  // namespace

// One recvAsync(): everything the thread-pool side touches is here, never in the socket or in
// JavaScript memory (a JS buffer could be detached or transferred while the thread writes).
struct RecvWork {
  napi_async_work work = nullptr;
  napi_ref callback = nullptr;
  napi_ref owner = nullptr;  // the socket's JS object, held so the socket outlives the work
  NetlinkSocket* socket = nullptr;  // cleared by Close(): the socket no longer waits for us
  bool close_fd = false;            // set by Close(): close(2) the fd once the thread is done
  int fd = -1;
  std::unique_ptr<uint8_t[]> data;
  size_t size = 0;
  // Results, written by the thread, read on the JS thread after it.
  ssize_t n = 0;
  int err = 0;
  bool read = false;  // recvmsg ran: the datagram is consumed (cut short if n > size)
  Received received;
};

AddonData::~AddonData() {
  // Normally empty by now (the cleanup hook closed everything), but if Node-API finalizes the
  // instance data before the last wrappers, make sure they never touch this object again.
  for (NetlinkSocket* s : open_sockets) s->ForgetAddon();
}

Napi::Function NetlinkSocket::DefineClass(Napi::Env env) {
  std::vector<Napi::ClassPropertyDescriptor<NetlinkSocket>> props = {
      GetterDescriptor("protocol", Checked<&NetlinkSocket::GetProtocol>),
      GetterDescriptor("closed", Checked<&NetlinkSocket::GetClosed>),
      MethodDescriptor("bind", Checked<&NetlinkSocket::Bind>),
      MethodDescriptor("getsockname", Checked<&NetlinkSocket::GetSockName>),
      MethodDescriptor("send", Checked<&NetlinkSocket::Send>),
      MethodDescriptor("recv", Checked<&NetlinkSocket::Recv>),
      MethodDescriptor("recvAsync", Checked<&NetlinkSocket::RecvAsync>),
      MethodDescriptor("setsockopt", Checked<&NetlinkSocket::SetSockOpt>),
      MethodDescriptor("getsockopt", Checked<&NetlinkSocket::GetSockOpt>),
      MethodDescriptor("getsockoptBytes", Checked<&NetlinkSocket::GetSockOptBytes>),
      MethodDescriptor("attachFilter", Checked<&NetlinkSocket::AttachFilter>),
      MethodDescriptor("detachFilter", Checked<&NetlinkSocket::DetachFilter>),
      MethodDescriptor("poll", Checked<&NetlinkSocket::Poll>),
      MethodDescriptor("stopPoll", Checked<&NetlinkSocket::StopPoll>),
      MethodDescriptor("ref", Checked<&NetlinkSocket::RefLoop>),
      MethodDescriptor("unref", Checked<&NetlinkSocket::UnrefLoop>),
      MethodDescriptor("close", Checked<&NetlinkSocket::CloseMethod>),
  };
  return ObjectWrap<NetlinkSocket>::DefineClass(env, "NetlinkSocket", props);
}

NetlinkSocket::NetlinkSocket(const Napi::CallbackInfo& info)
    : ObjectWrap<NetlinkSocket>(info), env_(info.Env()), addon_(nullptr) {
  Napi::Env env = info.Env();
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data == nullptr || data->pending_fd < 0) {
    ThrowTypeError(env, "Illegal constructor: sockets come from open()");
    return;
  }
  if (napi_type_tag_object(env, info.This(), &kSocketTypeTag) != napi_ok) {
    // Leave the fd with open(), which closes it when it is not taken.
    if (!env.IsExceptionPending()) ThrowTypeError(env, "cannot tag the socket object");
    return;
  }
  fd_ = data->pending_fd;
  protocol_ = data->pending_protocol;
  data->pending_fd = -1;  // taken: from now on this object closes it
  addon_ = data;
  addon_->open_sockets.insert(this);
}

NetlinkSocket::~NetlinkSocket() {
  Close(false);
  DestroyAsyncContext();
}

NetlinkSocket* NetlinkSocket::FromThis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_value self = info.This();
  napi_valuetype type = napi_undefined;
  bool tagged = false;
  if (napi_typeof(env, self, &type) == napi_ok && type == napi_object) {
    napi_check_object_type_tag(env, self, &kSocketTypeTag, &tagged);
  }
  if (!tagged) {
    ThrowTypeError(env, "Illegal invocation: `this` is not a netlink socket");
    return nullptr;
  }
  // The tag is only set after a successful construction, so the wrap is there.
  return Unwrap(Napi::Object(env, self));
}

void NetlinkSocket::DestroyAsyncContext() {
  if (async_context_ != nullptr) {
    napi_async_destroy(env_, async_context_);
    async_context_ = nullptr;
  }
}

void NetlinkSocket::StopWatching(bool release_js) {
  if (poll_handle_ != nullptr && watching_) uv_poll_stop(poll_handle_);
  watching_ = false;
  if (release_js) {
    on_readable_.Reset();
    if (pinned_) ObjectWrap<NetlinkSocket>::Unref();
  }
  pinned_ = false;
}

int NetlinkSocket::Close(bool release_js) {
  if (fd_ < 0) return 0;
  StopWatching(release_js);
  if (poll_handle_ != nullptr) {
    // libuv may still be walking this handle (we can be inside its own callback), so its memory
    // is freed only in the close callback; data = nullptr tells that nothing is attached.
    poll_handle_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_handle_), OnPollHandleClosed);
    poll_handle_ = nullptr;
  }
  // The async context is still in use while the poll callback runs; Dispatch() destroys it
  // afterwards in that case.
  if (dispatch_depth_ == 0) DestroyAsyncContext();
  if (addon_ != nullptr) {
    addon_->open_sockets.erase(this);
    addon_ = nullptr;
  }
  if (recv_work_ != nullptr) {
    // A recvAsync() may be inside recvmsg on this fd right now: it closes the fd when it ends,
    // so the number cannot be reused by another open() while that thread still reads it.
    recv_work_->socket = nullptr;
    recv_work_->close_fd = true;
    recv_work_ = nullptr;
    fd_ = -1;
    return 0;
  }
  // After uv_poll_stop/uv_close the fd may be closed at once (libuv drops pending events for it).
  // close(2) releases the descriptor even when it reports an error, so it is never retried.
  int rc = ::close(fd_);
  int err = rc < 0 ? errno : 0;
  fd_ = -1;
  return -err;
}

void NetlinkSocket::OnPollHandleClosed(uv_handle_t* handle) {
  delete reinterpret_cast<uv_poll_t*>(handle);
}

// ---- properties ----

Napi::Value NetlinkSocket::GetProtocol(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), protocol_);
}

Napi::Value NetlinkSocket::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), fd_ < 0);
}

// ---- system calls ----

Napi::Value NetlinkSocket::Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t portid = 0;
  uint32_t groups = 0;
  if (!Uint32Arg(info, 0, "portid", &portid) || !Uint32Arg(info, 1, "groups", &groups)) {
    return Napi::Value();
  }
  if (fd_ < 0) return Closed(env);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_pid = portid;
  sa.nl_groups = groups;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return Errno(env, errno);
  return Napi::Number::New(env, 0);
}

Napi::Value NetlinkSocket::GetSockName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0) return Closed(env);
  sockaddr_nl sa{};
  socklen_t len = sizeof sa;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) < 0) return Errno(env, errno);
  Napi::Object result = Napi::Object::New(env);
  result.Set("portid", Napi::Number::New(env, sa.nl_pid));
  result.Set("groups", Napi::Number::New(env, sa.nl_groups));
  return result;
}

Napi::Value NetlinkSocket::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint8_t* data = nullptr;
  size_t length = 0;
  uint32_t portid = 0;
  uint32_t groups = 0;
  if (!BytesArg(info, 0, "data", false, &data, &length) || !Uint32Arg(info, 1, "portid", &portid) ||
      !Uint32Arg(info, 2, "groups", &groups)) {
    return Napi::Value();
  }
  if (fd_ < 0) return Closed(env);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_pid = portid;
  sa.nl_groups = groups;
  ssize_t n;
  do {
    n = ::sendto(fd_, data, length, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Errno(env, errno);
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value NetlinkSocket::Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint8_t* data = nullptr;
  size_t length = 0;
  int flags = 0;
  if (!BytesArg(info, 0, "buffer", true, &data, &length) ||
      !NonNegativeIntArg(info, 1, "flags", &flags)) {
    return Napi::Value();
  }
  if (fd_ < 0) return Closed(env);

  Received r;
  ssize_t n = ReceiveInto(fd_, r, data, length, flags);
  if (n < 0) return Napi::Number::New(env, static_cast<double>(n));
  napi_value result = ReceivedObject(env, n, r);
  return result == nullptr ? Napi::Value() : Napi::Value(env, result);
}

// recvAsync(size, callback): receive the next queued datagram on the thread pool, without
// blocking, into a buffer of `size` bytes. The callback gets -errno (-EAGAIN: nothing queued),
// or what recv() returns plus `data` (a new Uint8Array of n bytes) when it fit; when it did not
// fit nothing is consumed (no `data`), and a recv() with a big enough buffer takes it. Returns
// 0 when started, -EBUSY while another is running, -EBADF on a closed socket. This lets the
// kernel build the next part of a dump (it does so inside recvmsg) while JS handles this one.
Napi::Value NetlinkSocket::RecvAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) {
    ThrowTypeError(env, "The \"size\" argument must be a number");
    return Napi::Value();
  }
  double size = info[0].As<Napi::Number>().DoubleValue();
  if (!(size >= 1 && size <= kMaxAsyncBuffer) || size != static_cast<double>(static_cast<size_t>(size))) {
    Napi::RangeError::New(env, "The \"size\" argument must be an integer from 1 to 67108864").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  if (!info[1].IsFunction()) {
    ThrowTypeError(env, "The \"callback\" argument must be a function");
    return Napi::Value();
  }
  if (fd_ < 0) return Closed(env);
  if (recv_work_ != nullptr) return Errno(env, EBUSY);

  auto* w = new (std::nothrow) RecvWork;
  if (w == nullptr) return Errno(env, ENOMEM);
  w->size = static_cast<size_t>(size);
  w->data.reset(new (std::nothrow) uint8_t[w->size]);
  if (!w->data) {
    delete w;
    return Errno(env, ENOMEM);
  }
  w->fd = fd_;
  w->socket = this;
  napi_value name = Napi::String::New(env, "nlctl:recvAsync");
  if (napi_create_reference(env, info[1], 1, &w->callback) != napi_ok ||
      napi_create_reference(env, Value(), 1, &w->owner) != napi_ok ||
      napi_create_async_work(env, nullptr, name, RecvWorkExecute, RecvWorkComplete, w, &w->work) != napi_ok ||
      napi_queue_async_work(env, w->work) != napi_ok) {
    if (w->work != nullptr) napi_delete_async_work(env, w->work);
    if (w->callback != nullptr) napi_delete_reference(env, w->callback);
    if (w->owner != nullptr) napi_delete_reference(env, w->owner);
    delete w;
    if (env.IsExceptionPending()) return Napi::Value();
    return Errno(env, ENOMEM);
  }
  recv_work_ = w;
  return Napi::Number::New(env, 0);
}

// On a thread-pool thread: no Node-API, no JS memory. Peek for the size first (a datagram read
// into a short buffer is lost for good), then read it if it fits.
void NetlinkSocket::RecvWorkExecute(napi_env /*env*/, void* data) {
  auto* w = static_cast<RecvWork*>(data);
  ssize_t n;
  do {
    n = ::recv(w->fd, nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    w->err = errno;
    return;
  }
  if (static_cast<size_t>(n) > w->size) {
    w->n = n;
    return;
  }
  n = ReceiveInto(w->fd, w->received, w->data.get(), w->size, MSG_DONTWAIT);
  if (n < 0) {
    w->err = static_cast<int>(-n);
    return;
  }
  w->n = n;
  w->read = true;
}

// Back on the JS thread. Also while a Worker is torn down, when JS can no longer run: then
// Node-API refuses the calls that make the result (plain calls, checked, never node-addon-api's
// wrappers, which would make that fatal) and only the cleanup happens.
void NetlinkSocket::RecvWorkComplete(napi_env env, napi_status status, void* data) {
  auto* w = static_cast<RecvWork*>(data);
  if (w->socket != nullptr) w->socket->recv_work_ = nullptr;
  if (w->close_fd) ::close(w->fd);  // the socket was closed meanwhile: its fd is ours to close
  napi_handle_scope scope = nullptr;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    // The result: -errno, or the object recv() gives (plus data when whole). Every call is
    // checked; when one is refused (a Worker being torn down) the callback is simply not called.
    napi_value arg = nullptr;
    int err = status != napi_ok ? ECANCELED : w->close_fd ? EBADF : w->err;
    if (err != 0) {
      if (napi_create_int32(env, -err, &arg) != napi_ok) arg = nullptr;
    } else if (!w->read) {
      // Too big for the buffer: still queued, for a recv() with a big enough one.
      if (napi_create_object(env, &arg) != napi_ok || !SetNumber(env, arg, "n", static_cast<double>(w->n)) ||
          !SetNumber(env, arg, "flags", 0)) {
        arg = nullptr;
      }
    } else {
      arg = ReceivedObject(env, w->n, w->received);
      // Only when whole: a datagram that grew between the peek and the read (another reader
      // took the one peeked at) comes back with MSG_TRUNC in flags and no data.
      if (arg != nullptr && static_cast<size_t>(w->n) <= w->size) {
        size_t n = static_cast<size_t>(w->n);
        void* bytes = nullptr;
        napi_value ab = nullptr;
        napi_value u8 = nullptr;
        if (napi_create_arraybuffer(env, n, &bytes, &ab) != napi_ok ||
            napi_create_typedarray(env, napi_uint8_array, n, ab, 0, &u8) != napi_ok) {
          arg = nullptr;
        } else {
          if (n > 0) std::memcpy(bytes, w->data.get(), n);
          if (napi_set_named_property(env, arg, "data", u8) != napi_ok) arg = nullptr;
        }
      }
    }
    napi_value fn = nullptr;
    napi_value self = nullptr;
    bool pending = false;
    if (arg != nullptr && napi_get_reference_value(env, w->callback, &fn) == napi_ok && fn != nullptr &&
        napi_get_reference_value(env, w->owner, &self) == napi_ok && self != nullptr &&
        napi_is_exception_pending(env, &pending) == napi_ok && !pending) {
      napi_value result = nullptr;
      // An exception thrown by the callback is left pending: Node-API reports it as uncaught.
      napi_call_function(env, self, fn, 1, &arg, &result);
    }
    napi_close_handle_scope(env, scope);
  }
  napi_delete_reference(env, w->callback);
  napi_delete_reference(env, w->owner);
  napi_delete_async_work(env, w->work);
  delete w;
}

Napi::Value NetlinkSocket::SetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int level = 0;
  int name = 0;
  int value = 0;
  if (!IntArg(info, 0, "level", &level) || !IntArg(info, 1, "name", &name) ||
      !IntArg(info, 2, "value", &value)) {
    return Napi::Value();
  }
  if (fd_ < 0) return Closed(env);
  if (::setsockopt(fd_, level, name, &value, sizeof value) < 0) return Errno(env, errno);
  return Napi::Number::New(env, 0);
}

Napi::Value NetlinkSocket::GetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int level = 0;
  int name = 0;
  if (!IntArg(info, 0, "level", &level) || !IntArg(info, 1, "name", &name)) return Napi::Value();
  if (fd_ < 0) return Closed(env);
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd_, level, name, &value, &len) < 0) return Errno(env, errno);
  Napi::Object result = Napi::Object::New(env);
  result.Set("value", Napi::Number::New(env, value));
  return result;
}

Napi::Value NetlinkSocket::GetSockOptBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int level = 0;
  int name = 0;
  int64_t size = 0;
  if (!IntArg(info, 0, "level", &level) || !IntArg(info, 1, "name", &name) ||
      !IntegerArg(info, 2, "size", 0, 65536, &size)) {
    return Napi::Value();
  }
  if (fd_ < 0) return Closed(env);
  // One spare byte so the pointer is never null even for size 0.
  std::vector<uint8_t> buffer(static_cast<size_t>(size) + 1);
  socklen_t len = static_cast<socklen_t>(size);
  if (::getsockopt(fd_, level, name, buffer.data(), &len) < 0) return Errno(env, errno);
  // Some options report the length they would need rather than what they copied (netlink's
  // NETLINK_LIST_MEMBERSHIPS does), so never hand out more than the buffer we passed.
  size_t out_len = len < static_cast<socklen_t>(size) ? len : static_cast<size_t>(size);
  Napi::Uint8Array out = Napi::Uint8Array::New(env, out_len);
  if (out_len > 0) std::memcpy(out.Data(), buffer.data(), out_len);
  return out;
}

Napi::Value NetlinkSocket::AttachFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint8_t* data = nullptr;
  size_t length = 0;
  if (!BytesArg(info, 0, "program", false, &data, &length)) return Napi::Value();
  if (length == 0 || length % sizeof(sock_filter) != 0 ||
      length > sizeof(sock_filter) * BPF_MAXINSNS) {
    ThrowRangeError(env, "The \"program\" argument must hold 1 to " +
                             std::to_string(BPF_MAXINSNS) + " instructions of 8 bytes");
    return Napi::Value();
  }
  if (fd_ < 0) return Closed(env);
  // Copy into properly aligned sock_filter entries (the Uint8Array may start at any offset);
  // the bytes are already in host order, so a plain copy gives code/jt/jf/k.
  std::vector<sock_filter> program(length / sizeof(sock_filter));
  std::memcpy(program.data(), data, length);
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.size());
  fprog.filter = program.data();
  if (::setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) < 0) {
    return Errno(env, errno);
  }
  return Napi::Number::New(env, 0);
}

Napi::Value NetlinkSocket::DetachFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0) return Closed(env);
  int unused = 0;
  if (::setsockopt(fd_, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) < 0) {
    return Errno(env, errno);
  }
  return Napi::Number::New(env, 0);
}

// ---- readiness ----

// poll(cb): returns undefined once watching, -errno when libuv refuses the fd (not expected for
// a netlink socket). On a closed socket it checks its argument, then does nothing and returns
// undefined: the callback is simply never called, as for a socket that never becomes readable
// (throwing would be the only alternative, and a closed socket is not a caller's type error).
Napi::Value NetlinkSocket::Poll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) {
    ThrowTypeError(env, "The \"onReadable\" argument must be a function");
    return Napi::Value();
  }
  if (fd_ < 0) return Napi::Value();
  if (poll_handle_ == nullptr) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return Errno(env, EINVAL);
    auto* handle = new (std::nothrow) uv_poll_t;
    if (handle == nullptr) return Errno(env, ENOMEM);
    int rc = uv_poll_init(loop, handle, fd_);
    if (rc < 0) {
      // A handle whose init failed was never registered with the loop: plain delete.
      delete handle;
      return Napi::Number::New(env, rc);  // libuv errors are already -errno on Unix
    }
    handle->data = this;
    if (!loop_ref_) uv_unref(reinterpret_cast<uv_handle_t*>(handle));
    poll_handle_ = handle;
  }
  if (async_context_ == nullptr) {
    napi_value resource_name = Napi::String::New(env, "nlctl:NetlinkSocket");
    if (napi_async_init(env, Value(), resource_name, &async_context_) != napi_ok) {
      async_context_ = nullptr;
      return Napi::Value();  // exception pending
    }
  }
  // uv_poll_start on an active handle just updates the callback/events, so a second poll()
  // is a plain replacement of the JS callback.
  int rc = uv_poll_start(poll_handle_, UV_READABLE, OnReadable);
  if (rc < 0) {
    StopWatching(true);
    return Napi::Number::New(env, rc);
  }
  watching_ = true;
  on_readable_ = Napi::Persistent(info[0].As<Napi::Function>());
  if (!pinned_) {
    // While events can arrive, the JS object must not be collected.
    ObjectWrap<NetlinkSocket>::Ref();
    pinned_ = true;
  }
  return Napi::Value();
}

Napi::Value NetlinkSocket::StopPoll(const Napi::CallbackInfo& info) {
  StopWatching(true);
  return info.Env().Undefined();
}

Napi::Value NetlinkSocket::RefLoop(const Napi::CallbackInfo& info) {
  loop_ref_ = true;
  if (poll_handle_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(poll_handle_));
  return info.Env().Undefined();
}

Napi::Value NetlinkSocket::UnrefLoop(const Napi::CallbackInfo& info) {
  loop_ref_ = false;
  if (poll_handle_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_handle_));
  return info.Env().Undefined();
}

Napi::Value NetlinkSocket::CloseMethod(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), Close(true));
}

void NetlinkSocket::OnReadable(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<NetlinkSocket*>(handle->data);
  if (self == nullptr || self->fd_ < 0 || !self->watching_) return;
  if (status < 0) {
    // libuv turns POLLERR into UV_EBADF and stops the handle. On a netlink socket POLLERR only
    // means a socket error is pending (ENOBUFS after a receive-queue overrun), which the next
    // recvmsg returns and clears. So re-arm and report "readable": the caller's recv() then
    // sees the real errno, and the watch survives overruns.
    int rc = uv_poll_start(handle, UV_READABLE, OnReadable);
    status = rc < 0 ? rc : 0;
    if (rc < 0) self->watching_ = false;  // stays pinned until stopPoll()/close()
  }
  self->Dispatch(status);
}

// Calls the JS callback as a proper async operation (MakeCallback runs the microtask and
// nextTick queues afterwards and keeps async_hooks/AsyncLocalStorage context). A throwing
// callback must not unwind through libuv: its exception goes to process 'uncaughtException'.
void NetlinkSocket::Dispatch(int status) {
  napi_env env = env_;
  napi_handle_scope scope = nullptr;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  // Holding the object and the function in this scope keeps both alive even if the callback
  // closes the socket, calls stopPoll() or replaces the callback.
  napi_value recv = Value();
  napi_value fn = on_readable_.Value();
  napi_value arg = nullptr;
  if (recv != nullptr && fn != nullptr && napi_create_int32(env, status, &arg) == napi_ok) {
    ++dispatch_depth_;
    napi_value result = nullptr;
    napi_status st = napi_make_callback(env, async_context_, recv, fn, 1, &arg, &result);
    --dispatch_depth_;
    if (st != napi_ok) {
      bool pending = false;
      napi_value error = nullptr;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
          napi_get_and_clear_last_exception(env, &error) == napi_ok) {
        // Fails harmlessly (no abort) when the environment is shutting down, e.g. a Worker that
        // is being terminated.
        napi_fatal_exception(env, error);
      }
    }
  }
  // The object cannot have been finalized while `recv` was held, so `this` is still valid.
  if (fd_ < 0 && dispatch_depth_ == 0) DestroyAsyncContext();
  napi_close_handle_scope(env, scope);
}

}  // namespace nlctl
