// The receiving side of the IPCUnixSocket framing, driven by the event loop: a uv_poll on the
// socket reads each header datagram, then its payload and fds, and hands them to JavaScript.
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "errors.h"
#include "fds.h"
#include "rights.h"

namespace tsipa {

// Messages handled per wake-up before yielding to the rest of the event loop.
constexpr int kBatch = 64;

class SocketWatcher : public Napi::ObjectWrap<SocketWatcher> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("SocketWatcher", DefineClass(env, "SocketWatcher", {
      InstanceMethod<&SocketWatcher::WatchWritable>("watchWritable"),
      InstanceMethod<&SocketWatcher::SetRef>("setRef"),
      InstanceMethod<&SocketWatcher::Close>("close"),
    }));
  }

  // new SocketWatcher(fd, onMessages(payloads, fdLists), onWritable(), onError(error))
  explicit SocketWatcher(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<SocketWatcher>(info), context_(info.Env(), "ts-ipa:socket") {
    Napi::Env env = info.Env();
    fd_ = FdArg(info, 0);
    onMessage_ = Napi::Persistent(info[1].As<Napi::Function>());
    onWritable_ = Napi::Persistent(info[2].As<Napi::Function>());
    onError_ = Napi::Persistent(info[3].As<Napi::Function>());
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    int err = uv_poll_init(loop, poll_, fd_);
    if (err < 0) {
      delete poll_;
      poll_ = nullptr;
      throw SystemError(env, -err, "uv_poll_init");
    }
    poll_->data = this;
    Ref();  // alive while the poll is open, whatever JavaScript holds
    Start(UV_READABLE);
  }

 private:
  void Start(int events) {
    events_ = events;
    int err = uv_poll_start(poll_, events, [](uv_poll_t* handle, int status, int events) {
      static_cast<SocketWatcher*>(handle->data)->OnEvent(status, events);
    });
    if (err < 0) throw SystemError(Env(), -err, "uv_poll_start");
  }

  void OnEvent(int status, int events) {
    Napi::HandleScope scope(Env());
    if (status < 0) return Report(SystemError(Env(), -status, "uv_poll"));
    if (events & UV_READABLE) ReadMessages();
    if (poll_ && (events & UV_WRITABLE)) Call(onWritable_, {});
  }

  // Reads what has arrived (up to kBatch messages) and hands it to JavaScript in one call:
  // onMessages(payloads, fdLists).
  void ReadMessages() {
    batch_ = Napi::Array::New(Env());
    batchFds_ = Napi::Array::New(Env());
    ReadBatch();
    FlushBatch();
  }

  void FlushBatch() {
    if (batch_.IsEmpty() || batch_.Length() == 0) return;
    Napi::Array payloads = batch_;
    Napi::Array fdLists = batchFds_;
    batch_ = Napi::Array::New(Env());
    batchFds_ = Napi::Array::New(Env());
    Call(onMessage_, {payloads, fdLists});
  }

  void ReadBatch() {
    for (int i = 0; i < kBatch && poll_; i++) {
      if (!headerPending_) {
        uint8_t header[8];
        ssize_t n = recv(fd_, header, sizeof header, MSG_DONTWAIT);
        if (n < 0) {
          if (errno != EAGAIN && errno != EWOULDBLOCK) Report(SystemError(Env(), errno, "recv", "message header"));
          return;
        }
        if (n != sizeof header) {
          Report(ProtocolError(Env(), "EBADMSG", "a message header of " + std::to_string(n) + " bytes, expected 8"));
          continue;
        }
        std::memcpy(&size_, header, 4);
        fdCount_ = header[4];
        headerPending_ = true;
      }
      if (!ReadPayload()) return;
    }
  }

  // Reads the payload the pending header announced; false when it has not arrived yet.
  bool ReadPayload() {
    Napi::Env env = Env();
    Napi::Buffer<uint8_t> payload = Napi::Buffer<uint8_t>::New(env, size_);
    iovec iov = {payload.Data(), size_};
    RightsBuffer control;
    msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data;
    msg.msg_controllen = sizeof control.data;
    ssize_t n = recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      headerPending_ = false;
      Report(SystemError(env, errno, "recvmsg", "message payload"));
      return false;
    }
    headerPending_ = false;
    std::vector<int> fds = ReceivedFds(msg);
    std::string problem;
    if (msg.msg_flags & MSG_TRUNC) problem = "the payload was longer than its header said";
    else if (msg.msg_flags & MSG_CTRUNC) problem = "more fds came than fit one message";
    else if (static_cast<size_t>(n) != size_) problem = "a payload of " + std::to_string(n) + " bytes, the header said " + std::to_string(size_);
    else if (fds.size() != fdCount_) problem = std::to_string(fds.size()) + " fds came, the header said " + std::to_string(fdCount_);
    if (!problem.empty()) {
      for (int fd : fds) close(fd);  // nobody will own them
      Report(ProtocolError(env, "EBADMSG", problem));
      return true;
    }
    Napi::Array fdArray = Napi::Array::New(env, fds.size());
    for (size_t i = 0; i < fds.size(); i++) fdArray.Set(static_cast<uint32_t>(i), Napi::Number::New(env, fds[i]));
    uint32_t at = batch_.Length();
    batch_.Set(at, payload);
    batchFds_.Set(at, fdArray);
    return true;
  }

  // Messages read before an error reach JavaScript before it.
  void Report(const Napi::Error& error) {
    FlushBatch();
    Call(onError_, {error.Value()});
  }

  void Call(Napi::FunctionReference& fn, const std::initializer_list<napi_value>& args) {
    try {
      fn.MakeCallback(Value(), args, context_);
    } catch (const Napi::Error& e) {
      // The callbacks catch what they can; anything else is an uncaught exception, as in Node's own handles.
      napi_fatal_exception(Env(), e.Value());
    }
  }

  // watchWritable(on): also report when the socket can take more (after sendMessage said full).
  Napi::Value WatchWritable(const Napi::CallbackInfo& info) {
    if (poll_) Start(info[0].ToBoolean() ? (UV_READABLE | UV_WRITABLE) : UV_READABLE);
    return info.Env().Undefined();
  }

  // setRef(on): whether the socket alone keeps the process running.
  Napi::Value SetRef(const Napi::CallbackInfo& info) {
    if (poll_) {
      if (info[0].ToBoolean()) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
      else uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    }
    return info.Env().Undefined();
  }

  // close(): stops watching and closes the fd.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (!poll_) return info.Env().Undefined();
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) {
      delete reinterpret_cast<uv_poll_t*>(handle);
    });
    poll_ = nullptr;
    close(fd_);
    Unref();
    return info.Env().Undefined();
  }

  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  int events_ = 0;
  bool headerPending_ = false;
  uint32_t size_ = 0;
  uint8_t fdCount_ = 0;
  Napi::FunctionReference onMessage_;
  Napi::Array batch_;
  Napi::Array batchFds_;
  Napi::FunctionReference onWritable_;
  Napi::FunctionReference onError_;
  Napi::AsyncContext context_;
};

void InitWatcher(Napi::Env env, Napi::Object exports) {
  SocketWatcher::Init(env, exports);
}

}  // namespace tsipa
