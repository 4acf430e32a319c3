// fds in SCM_RIGHTS control messages, both ways.
#pragma once
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "fds.h"

namespace tsipa {

// Room for the largest control message: kMaxFds fds.
struct RightsBuffer {
  alignas(cmsghdr) char data[CMSG_SPACE(kMaxFds * sizeof(int))];
};

// Attaches `fds` to `msg` as one SCM_RIGHTS control message, an empty one when there are none
// (as libcamera sends it).
inline void AttachFds(msghdr& msg, RightsBuffer& buffer, const std::vector<int>& fds) {
  msg.msg_control = buffer.data;
  msg.msg_controllen = CMSG_SPACE(fds.size() * sizeof(int));
  std::memset(buffer.data, 0, msg.msg_controllen);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
  if (!fds.empty()) std::memcpy(CMSG_DATA(cmsg), fds.data(), fds.size() * sizeof(int));
}

// The fds a received message carried, in order.
inline std::vector<int> ReceivedFds(msghdr& msg) {
  std::vector<int> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const int* received = reinterpret_cast<const int*>(CMSG_DATA(c));
    fds.insert(fds.end(), received, received + count);
  }
  return fds;
}

// Receives one datagram into `data` without blocking, its fds into `fds` (close-on-exec);
// `flags` gets the message flags (MSG_TRUNC, MSG_CTRUNC). Returns what recvmsg returns.
inline ssize_t ReceiveWithFds(int fd, void* data, size_t size, std::vector<int>& fds, int& flags) {
  iovec iov = {data, size};
  RightsBuffer control;
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data;
  msg.msg_controllen = sizeof control.data;
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n >= 0) {
    fds = ReceivedFds(msg);
    flags = msg.msg_flags;
  }
  return n;
}

}  // namespace tsipa
