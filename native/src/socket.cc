// The sending side of libcamera's IPCUnixSocket framing: each message is two datagrams, an 8-byte
// header {u32 payload size, u8 fd count, 3 zero bytes} and then the payload with its fds in one
// SCM_RIGHTS control message.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "errors.h"
#include "fds.h"
#include "rights.h"

namespace tsipa {

// socketPair(): two connected, non-blocking, close-on-exec datagram sockets.
static Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0) {
    throw SystemError(info.Env(), errno, "socketpair");
  }
  Napi::Array pair = Napi::Array::New(info.Env(), 2);
  pair.Set(0u, Napi::Number::New(info.Env(), fds[0]));
  pair.Set(1u, Napi::Number::New(info.Env(), fds[1]));
  return pair;
}

// sendBufferSize(fd): the socket's send buffer (SO_SNDBUF). A datagram socket refuses a datagram
// longer than this less 32 bytes with EMSGSIZE (Linux's unix_dgram_sendmsg).
static Napi::Value SendBufferSize(const Napi::CallbackInfo& info) {
  int size = 0;
  socklen_t length = sizeof size;
  if (getsockopt(FdArg(info, 0), SOL_SOCKET, SO_SNDBUF, &size, &length) < 0) throw SystemError(info.Env(), errno, "getsockopt", "SO_SNDBUF");
  return Napi::Number::New(info.Env(), size);
}

// The fd numbers of a message, checked: a list longer than one control message holds would
// overrun its buffer.
static std::vector<int> FdList(Napi::Env env, const Napi::Value& value) {
  if (!value.IsArray()) throw Napi::TypeError::New(env, "fds must be an array of fd numbers");
  Napi::Array list = value.As<Napi::Array>();
  if (list.Length() > kMaxFds) throw ProtocolError(env, "ETOOMANYFDS", "a message carries at most 253 fds, not " + std::to_string(list.Length()));
  std::vector<int> fds(list.Length());
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    if (!v.IsNumber() || v.As<Napi::Number>().Int32Value() < 0) throw Napi::TypeError::New(env, "fds must be fd numbers");
    fds[i] = v.As<Napi::Number>().Int32Value();
  }
  return fds;
}

static ssize_t SendPayload(int fd, const uint8_t* data, size_t size, const std::vector<int>& fds) {
  iovec iov = {const_cast<uint8_t*>(data), size};
  RightsBuffer control;
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  AttachFds(msg, control, fds);
  return sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

// sendMessage(fd, payload, fds, headerSent): 2 when sent; 0 when the socket is full before the
// header (nothing sent); 1 when the header went but the payload would block (call again with
// headerSent true once the socket is writable). Throws on any other error.
static Napi::Value SendMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  Napi::Uint8Array payload = info[1].As<Napi::Uint8Array>();
  std::vector<int> fds = FdList(env, info[2]);
  bool headerSent = info[3].ToBoolean();
  if (payload.ByteLength() == 0 && fds.empty()) throw ProtocolError(env, "EINVAL", "a message needs data or fds");
  if (payload.ByteLength() > 0xffffffffu) throw ProtocolError(env, "EMSGSIZE", "a payload is at most 4 GiB");

  if (!headerSent) {
    // Header and payload in one system call.
    uint8_t header[8] = {};
    uint32_t size = static_cast<uint32_t>(payload.ByteLength());
    std::memcpy(header, &size, 4);
    header[4] = static_cast<uint8_t>(fds.size());
    iovec iovs[2] = {{header, sizeof header}, {payload.Data(), payload.ByteLength()}};
    RightsBuffer control;
    mmsghdr msgs[2] = {};
    msgs[0].msg_hdr.msg_iov = &iovs[0];
    msgs[0].msg_hdr.msg_iovlen = 1;
    msgs[1].msg_hdr.msg_iov = &iovs[1];
    msgs[1].msg_hdr.msg_iovlen = 1;
    AttachFds(msgs[1].msg_hdr, control, fds);
    int sent = sendmmsg(fd, msgs, 2, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Napi::Number::New(env, 0);
      throw SystemError(env, errno, "sendmmsg", "message");
    }
    return Napi::Number::New(env, sent == 2 ? 2 : 1);
  }
  ssize_t n = SendPayload(fd, payload.Data(), payload.ByteLength(), fds);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Napi::Number::New(env, 1);
    throw SystemError(env, errno, "sendmsg", "message payload");
  }
  return Napi::Number::New(env, 2);
}

// receiveDatagram(fd, maxBytes): one datagram as it came, { data, fds }, or null when none is
// queued. For looking at the framing itself; the watcher is the way to receive messages.
static Napi::Value ReceiveDatagram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  uint32_t max = info[1].As<Napi::Number>().Uint32Value();
  Napi::Buffer<uint8_t> data = Napi::Buffer<uint8_t>::New(env, max);
  std::vector<int> received;
  int flags = 0;
  ssize_t n = ReceiveWithFds(fd, data.Data(), max, received, flags);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Null();
    throw SystemError(env, errno, "recvmsg");
  }
  Napi::Array fds = Napi::Array::New(env);
  for (int one : received) fds.Set(fds.Length(), Napi::Number::New(env, one));
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", Napi::Buffer<uint8_t>::Copy(env, data.Data(), static_cast<size_t>(n)));
  result.Set("fds", fds);
  return result;
}

// sendMessages(fd, payloads, fdLists, firstHeaderSent): sends queued messages in order with as few
// system calls as it can (sendmmsg, header and payload datagrams back to back). Returns how many
// datagrams went; the caller works out which messages are done (a message is two datagrams, or
// one when its header went before).
static Napi::Value SendMessages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  if (!info[1].IsArray() || !info[2].IsArray()) throw Napi::TypeError::New(env, "sendMessages takes arrays of payloads and of fd lists");
  Napi::Array payloads = info[1].As<Napi::Array>();
  Napi::Array fdLists = info[2].As<Napi::Array>();
  bool firstHeaderSent = info[3].ToBoolean();
  constexpr uint32_t kMaxMessages = 128;
  uint32_t count = std::min(payloads.Length(), kMaxMessages);
  if (fdLists.Length() < count) throw Napi::TypeError::New(env, "sendMessages needs an fd list for each payload");

  struct Slot {
    uint8_t header[8];
    std::vector<int> fds;
    RightsBuffer control;
  };
  std::vector<Slot> slots(count);
  std::vector<iovec> iovs(count * 2);
  std::vector<mmsghdr> msgs;
  msgs.reserve(count * 2);
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value value = payloads.Get(i);
    if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) throw Napi::TypeError::New(env, "payloads must be Uint8Arrays");
    Napi::Uint8Array payload = value.As<Napi::Uint8Array>();
    Slot& slot = slots[i];
    slot.fds = FdList(env, fdLists.Get(i));
    if (!(i == 0 && firstHeaderSent)) {
      uint32_t size = static_cast<uint32_t>(payload.ByteLength());
      std::memset(slot.header, 0, sizeof slot.header);
      std::memcpy(slot.header, &size, 4);
      slot.header[4] = static_cast<uint8_t>(slot.fds.size());
      iovs[i * 2] = {slot.header, sizeof slot.header};
      mmsghdr header = {};
      header.msg_hdr.msg_iov = &iovs[i * 2];
      header.msg_hdr.msg_iovlen = 1;
      msgs.push_back(header);
    }
    iovs[i * 2 + 1] = {payload.Data(), payload.ByteLength()};
    mmsghdr body = {};
    body.msg_hdr.msg_iov = &iovs[i * 2 + 1];
    body.msg_hdr.msg_iovlen = 1;
    AttachFds(body.msg_hdr, slot.control, slot.fds);
    msgs.push_back(body);
  }
  int sent = sendmmsg(fd, msgs.data(), msgs.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (sent < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Napi::Number::New(env, 0);
    throw SystemError(env, errno, "sendmmsg");
  }
  return Napi::Number::New(env, sent);
}

// sendDatagram(fd, bytes, fds): one datagram as it is (a batch built by the caller) with its fds.
// true when sent, false when the socket is full.
static Napi::Value SendDatagram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  // sendDatagram(fd, bytes, fds, length): the first `length` bytes only, so that a sender filling
  // one buffer needs no view of its used part for every datagram.
  size_t length = bytes.ByteLength();
  if (info.Length() > 3 && info[3].IsNumber()) {
    int64_t wanted = info[3].As<Napi::Number>().Int64Value();
    if (wanted < 0 || static_cast<size_t>(wanted) > length) throw Napi::RangeError::New(env, "sendDatagram: length " + std::to_string(wanted) + " is outside the " + std::to_string(length) + " bytes");
    length = static_cast<size_t>(wanted);
  }
  std::vector<int> fds = FdList(env, info[2]);
  iovec iov = {bytes.Data(), length};
  RightsBuffer control;
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  AttachFds(msg, control, fds);
  if (sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
    throw SystemError(env, errno, "sendmsg", "datagram");
  }
  return Napi::Boolean::New(env, true);
}

void InitSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("sendDatagram", Napi::Function::New(env, SendDatagram, "sendDatagram"));
  exports.Set("sendMessages", Napi::Function::New(env, SendMessages, "sendMessages"));
  exports.Set("receiveDatagram", Napi::Function::New(env, ReceiveDatagram, "receiveDatagram"));
  exports.Set("socketPair", Napi::Function::New(env, SocketPair, "socketPair"));
  exports.Set("sendMessage", Napi::Function::New(env, SendMessage, "sendMessage"));
  exports.Set("sendBufferSize", Napi::Function::New(env, SendBufferSize, "sendBufferSize"));
}

}  // namespace tsipa
