// Module entry: open(), the constants object, and the per-environment setup and teardown.
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "netlink_socket.h"

namespace nlctl {

namespace {

constexpr int kSocketType = SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC;

// Work for the helper thread that creates a socket inside another network namespace.
struct NamespaceJob {
  int ns_fd;
  int protocol;
  int fd = -1;
  int err = 0;
  const char* syscall = nullptr;
};

// setns() changes the namespace of the calling *thread*, and the socket stays in the namespace
// it was created in. Doing both on a thread that exits right after means no thread that runs
// JavaScript or libuv ever changes namespace, so nothing else in the process is affected.
void* CreateInNamespace(void* arg) {
  auto* job = static_cast<NamespaceJob*>(arg);
  if (setns(job->ns_fd, CLONE_NEWNET) != 0) {
    job->err = errno;
    job->syscall = "setns";
    return nullptr;
  }
  job->fd = socket(AF_NETLINK, kSocketType, job->protocol);
  if (job->fd < 0) {
    job->err = errno;
    job->syscall = "socket";
  }
  return nullptr;
}

// Fills fd, or err and the name of the failing call. pthread_create is used rather than
// std::thread because the addon is built without C++ exceptions: std::thread would abort the
// process when no thread can be created, where pthread_create just returns an error number.
void OpenInNamespace(const std::string& path, int protocol, int* fd, int* err,
                     const char** syscall) {
  int ns_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns_fd < 0) {
    *err = errno;
    *syscall = "open";
    return;
  }
  NamespaceJob job{ns_fd, protocol};
  // The helper thread inherits the signal mask of its creator; block everything so that a
  // process-directed signal is never delivered on a thread that is inside another namespace.
  sigset_t all;
  sigset_t saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  pthread_t thread;
  int rc = pthread_create(&thread, nullptr, CreateInNamespace, &job);
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  if (rc != 0) {
    job.err = rc;
    job.syscall = "pthread_create";
  } else {
    pthread_join(thread, nullptr);
  }
  ::close(ns_fd);
  *fd = job.fd;
  *err = job.err;
  *syscall = job.syscall;
}

// open(protocol, netnsPath?) → { socket } | { errno: -E, syscall }
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int protocol = 0;
  if (!NonNegativeIntArg(info, 0, "protocol", &protocol)) return Napi::Value();
  Napi::Value ns = info[1];
  bool in_namespace = !ns.IsUndefined();
  std::string path;
  if (in_namespace) {
    if (!ns.IsString()) {
      ThrowTypeError(env, "The \"netnsPath\" argument must be a string or undefined");
      return Napi::Value();
    }
    path = ns.As<Napi::String>().Utf8Value();
    // A NUL would silently cut the path short at the syscall; refuse it as Node's fs does.
    if (path.find('\0') != std::string::npos) {
      ThrowTypeError(env, "The \"netnsPath\" argument must not contain null bytes");
      return Napi::Value();
    }
  }

  int fd = -1;
  int err = 0;
  const char* syscall = nullptr;
  if (in_namespace) {
    OpenInNamespace(path, protocol, &fd, &err, &syscall);
  } else {
    fd = socket(AF_NETLINK, kSocketType, protocol);
    if (fd < 0) {
      err = errno;
      syscall = "socket";
    }
  }
  if (syscall != nullptr) {
    Napi::Object failure = Napi::Object::New(env);
    failure.Set("errno", Napi::Number::New(env, -err));
    failure.Set("syscall", Napi::String::New(env, syscall));
    return failure;
  }

  AddonData* data = env.GetInstanceData<AddonData>();
  data->pending_fd = fd;
  data->pending_protocol = protocol;
  Napi::Object socket = data->constructor.New({});
  if (data->pending_fd >= 0) {
    // The constructor did not take the fd (it threw); an exception is pending.
    data->pending_fd = -1;
    ::close(fd);
    return Napi::Value();
  }
  if (socket.IsEmpty()) return Napi::Value();  // taken, and closed by the object's finalizer
  Napi::Object result = Napi::Object::New(env);
  result.Set("socket", socket);
  return result;
}

// The values come from the C headers of the build machine: SOL_SOCKET, SO_* and some MSG_* and
// errno values differ between architectures, so the TypeScript side must never hard-code them.
Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  auto set = [&](const char* name, int value) { c.Set(name, Napi::Number::New(env, value)); };
  set("AF_NETLINK", AF_NETLINK);
  set("SOL_NETLINK", SOL_NETLINK);
  set("SOL_SOCKET", SOL_SOCKET);
  set("SO_RCVBUF", SO_RCVBUF);
  set("SO_SNDBUF", SO_SNDBUF);
  set("SO_RCVBUFFORCE", SO_RCVBUFFORCE);
  set("SO_SNDBUFFORCE", SO_SNDBUFFORCE);
  set("SO_ATTACH_FILTER", SO_ATTACH_FILTER);
  set("SO_DETACH_FILTER", SO_DETACH_FILTER);
  set("NETLINK_ADD_MEMBERSHIP", NETLINK_ADD_MEMBERSHIP);
  set("NETLINK_DROP_MEMBERSHIP", NETLINK_DROP_MEMBERSHIP);
  set("NETLINK_PKTINFO", NETLINK_PKTINFO);
  set("NETLINK_BROADCAST_ERROR", NETLINK_BROADCAST_ERROR);
  set("NETLINK_NO_ENOBUFS", NETLINK_NO_ENOBUFS);
  set("NETLINK_LISTEN_ALL_NSID", NETLINK_LISTEN_ALL_NSID);
  set("NETLINK_LIST_MEMBERSHIPS", NETLINK_LIST_MEMBERSHIPS);
  set("NETLINK_CAP_ACK", NETLINK_CAP_ACK);
  set("NETLINK_EXT_ACK", NETLINK_EXT_ACK);
  set("NETLINK_GET_STRICT_CHK", NETLINK_GET_STRICT_CHK);
  set("MSG_PEEK", MSG_PEEK);
  set("MSG_TRUNC", MSG_TRUNC);
  set("MSG_DONTWAIT", MSG_DONTWAIT);
  set("EAGAIN", EAGAIN);
  set("EINTR", EINTR);
  set("EBADF", EBADF);
  set("ENOBUFS", ENOBUFS);
  c.Freeze();
  return c;
}

// Runs when the environment (the main thread at exit, or a Worker being terminated) is torn
// down, before its event loop is closed: every socket still open is closed, so its poll handle
// is uv_close()d while the loop can still run the close callback, and no fd leaks out of a Worker.
void CloseAllSockets(void* arg) {
  auto* data = static_cast<AddonData*>(arg);
  // Close() removes each socket from the set, so iterate over a copy.
  std::vector<NetlinkSocket*> sockets(data->open_sockets.begin(), data->open_sockets.end());
  for (NetlinkSocket* s : sockets) s->Close(true);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  // Owned by Node-API from here on: deleted when the environment goes away.
  env.SetInstanceData<AddonData>(data);
  data->constructor = Napi::Persistent(NetlinkSocket::DefineClass(env));
  if (env.IsExceptionPending()) return exports;
  if (napi_add_env_cleanup_hook(env, CloseAllSockets, data) != napi_ok) {
    Napi::Error::New(env, "nlctl: cannot register the environment cleanup hook")
        .ThrowAsJavaScriptException();
    return exports;
  }
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("constants", Constants(env));
  return exports;
}

}  // namespace

}  // namespace nlctl

namespace {
// NODE_API_MODULE pastes the name into an identifier, so it needs an unqualified one.
Napi::Object InitNlctlNative(Napi::Env env, Napi::Object exports) {
  return nlctl::Init(env, exports);
}
}  // namespace

NODE_API_MODULE(nlctl_native, InitNlctlNative)
