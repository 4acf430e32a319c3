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

// Datagrams read per wake-up before yielding to the rest of the event loop.
constexpr int kBatch = 64;
// And messages and bytes: one batch datagram may hold thousands of messages, so datagrams alone
// do not bound the JavaScript a wake-up runs. The reading stops after the datagram that reaches
// either bound; what is left wakes the poll again once timers and other I/O have had their turn
// (uv_poll is level-triggered).
constexpr size_t kMessageBudget = 1024;
constexpr size_t kByteBudget = 1 << 20;

class SocketWatcher : public Napi::ObjectWrap<SocketWatcher> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("SocketWatcher", DefineClass(env, "SocketWatcher", {
      InstanceMethod<&SocketWatcher::WatchWritable>("watchWritable"),
      InstanceMethod<&SocketWatcher::SetRef>("setRef"),
      InstanceMethod<&SocketWatcher::Close>("close"),
    }));
  }

  // new SocketWatcher(fd, onMessages(payloads, fdLists), onBatch(datagram, fds), onWritable(),
  //                   onError(error), onMessage(at, size, fds), received)
  // `received` is the Uint8Array every datagram is read into (at least 256 KiB): onMessage's
  // message is its bytes from `at`, there until the callback returns.
  explicit SocketWatcher(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<SocketWatcher>(info), context_(info.Env(), "ts-ipa:socket") {
    Napi::Env env = info.Env();
    fd_ = FdArg(info, 0);
    onMessage_ = Napi::Persistent(info[1].As<Napi::Function>());
    onBatch_ = Napi::Persistent(info[2].As<Napi::Function>());
    onWritable_ = Napi::Persistent(info[3].As<Napi::Function>());
    onError_ = Napi::Persistent(info[4].As<Napi::Function>());
    onOneMessage_ = Napi::Persistent(info[5].As<Napi::Function>());
    Napi::Uint8Array received = info[6].As<Napi::Uint8Array>();
    if (received.ByteLength() < kReceiveBytes) throw Napi::RangeError::New(env, "the receive buffer must hold 256 KiB");
    received_ = Napi::Persistent(received);
    receivedData_ = received.Data();
    receivedSize_ = received.ByteLength();
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
    // Made when the first message is appended: a wake-up for a batch datagram needs none.
    batch_ = Napi::Array();
    batchFds_ = Napi::Array();
    messages_ = 0;
    bytes_ = 0;
    ReadBatch();
    FlushBatch();
  }

  void FlushBatch() {
    if (batch_.IsEmpty() || batch_.Length() == 0) return;
    Napi::Array payloads = batch_;
    Napi::Array fdLists = batchFds_;
    batch_ = Napi::Array();
    batchFds_ = Napi::Array();
    Call(onMessage_, {payloads, fdLists});
  }

  // Every datagram is read whole into the receive buffer, then taken apart: an 8-byte header (libcamera's
  // framing: its payload comes next), the payload after a header, or a batch of messages (ts-ipa's
  // own framing between ts-ipa peers, told apart by its magic word; never 8 bytes long).
  void ReadBatch() {
    for (int i = 0; i < kBatch && poll_ && messages_ < kMessageBudget && bytes_ < kByteBudget; i++) {
      std::vector<int> fds;
      int flags = 0;
      ssize_t n = ReceiveWithFds(fd_, receivedData_, receivedSize_, fds, flags);
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) Report(SystemError(Env(), errno, "recvmsg"));
        return;
      }
      bytes_ += static_cast<size_t>(n);
      messages_++;
      const uint8_t* data = receivedData_;
      std::string problem;
      if (flags & MSG_TRUNC) problem = "a datagram larger than " + std::to_string(receivedSize_) + " bytes";
      else if (flags & MSG_CTRUNC) problem = "more fds came than fit one message";
      if (!problem.empty()) {
        headerPending_ = false;
        Reject(fds, problem);
        continue;
      }
      if (headerPending_) {
        headerPending_ = false;
        if (static_cast<size_t>(n) != size_) Reject(fds, "a payload of " + std::to_string(n) + " bytes, the header said " + std::to_string(size_));
        else if (fds.size() != fdCount_) Reject(fds, std::to_string(fds.size()) + " fds came, the header said " + std::to_string(fdCount_));
        else Deliver(data, n, fds.data(), fds.size());
        continue;
      }
      if (n == 8 && fds.empty()) {
        std::memcpy(&size_, data, 4);
        fdCount_ = data[4];
        headerPending_ = true;
      } else if (n >= 8 && ReadU32(data) == kBatchMagic) {
        TakeBatch(data, static_cast<size_t>(n), fds);
        // A batch is what its peer sent in one turn; the next turn's seldom waits already, and
        // looking costs a recvmsg that finds nothing (EAGAIN) on every call and every reply.
        // The poll is level-triggered: a datagram that did come wakes it again at once.
        return;
      } else if (n == 8) {
        Reject(fds, "a message header with " + std::to_string(fds.size()) + " fds (they come with the payload)");
      } else {
        Reject(fds, "a message header of " + std::to_string(n) + " bytes, expected 8");
      }
    }
  }

  static uint32_t ReadU32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }

  // A batch: magic, count, then per message u32 size, u32 fdCount, payload; its fds in order.
  void TakeBatch(const uint8_t* data, size_t n, const std::vector<int>& fds) {
    uint32_t count = ReadU32(data + 4);
    size_t at = 8;
    size_t fdAt = 0;
    // Checked whole first, so that a bad batch delivers nothing and leaks no fd.
    for (uint32_t i = 0; i < count; i++) {
      if (n - at < 8) return Reject(fds, "a batch shorter than its messages");
      uint32_t size = ReadU32(data + at);
      uint32_t fdCount = ReadU32(data + at + 4);
      if (n - at - 8 < size || fds.size() - fdAt < fdCount) return Reject(fds, "a batch shorter than its messages");
      at += 8 + size;
      fdAt += fdCount;
    }
    if (at != n || fdAt != fds.size()) return Reject(fds, "a batch longer than its messages");
    messages_ += count;
    // Handed over whole, in its own call after the messages before it: JavaScript takes the
    // messages apart one at a time, so that each is garbage before the next is made.
    FlushBatch();
    Napi::Env env = Env();
    Napi::Array fdArray = Napi::Array::New(env, fds.size());
    for (size_t i = 0; i < fds.size(); i++) fdArray.Set(static_cast<uint32_t>(i), Napi::Number::New(env, fds[i]));
    // A batch of one (a call, or its reply) is handed over as its message alone, left where it
    // was read: JavaScript copies it onto V8's heap, where a small array costs a tenth of a new
    // ArrayBuffer, and needs no view of a batch, nor a list for its fds.
    if (count == 1) return Call(onOneMessage_, {Napi::Number::New(env, 16), Napi::Number::New(env, static_cast<double>(n - 16)), fdArray});
    Call(onBatch_, {CopyBytes(data, n), fdArray});
  }

  void Deliver(const uint8_t* data, size_t size, const int* fds, size_t fdCount) {
    Append(CopyBytes(data, size), fds, fdCount);
  }

  // A plain Uint8Array over a new ArrayBuffer: a Node Buffer would cost a prototype change on
  // every message, and JavaScript needs nothing of Buffer's here.
  Napi::Value CopyBytes(const uint8_t* data, size_t size) {
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(Env(), size);
    if (size > 0) std::memcpy(buffer.Data(), data, size);
    return Napi::Uint8Array::New(Env(), size, buffer, 0);
  }

  void Append(Napi::Value payload, const int* fds, size_t fdCount) {
    Napi::Env env = Env();
    Napi::Array fdArray = Napi::Array::New(env, fdCount);
    for (size_t i = 0; i < fdCount; i++) fdArray.Set(static_cast<uint32_t>(i), Napi::Number::New(env, fds[i]));
    if (batch_.IsEmpty()) {
      batch_ = Napi::Array::New(env);
      batchFds_ = Napi::Array::New(env);
    }
    uint32_t at = batch_.Length();
    batch_.Set(at, payload);
    batchFds_.Set(at, fdArray);
  }

  // A malformed datagram: its fds are closed (nobody will own them) and the error reported.
  void Reject(const std::vector<int>& fds, const std::string& problem) {
    for (int fd : fds) close(fd);
    Report(ProtocolError(Env(), "EBADMSG", problem));
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
  // What this wake-up has read so far (see kMessageBudget).
  size_t messages_ = 0;
  size_t bytes_ = 0;
  // Where datagrams are read (JavaScript's, kept alive here): big enough for any datagram a
  // socket with the default buffer size can carry (212 KiB).
  static constexpr size_t kReceiveBytes = 256 * 1024;
  Napi::Reference<Napi::Uint8Array> received_;
  uint8_t* receivedData_ = nullptr;
  size_t receivedSize_ = 0;
  uint32_t size_ = 0;
  uint8_t fdCount_ = 0;
  Napi::FunctionReference onMessage_;
  Napi::Array batch_;
  Napi::Array batchFds_;
  Napi::FunctionReference onBatch_;
  Napi::FunctionReference onWritable_;
  Napi::FunctionReference onError_;
  Napi::FunctionReference onOneMessage_;
  Napi::AsyncContext context_;
};

void InitWatcher(Napi::Env env, Napi::Object exports) {
  SocketWatcher::Init(env, exports);
}

}  // namespace tsipa
