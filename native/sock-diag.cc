// unixSocketPeers(): the peer of every connected AF_UNIX socket in this network namespace, from one
// NETLINK_SOCK_DIAG dump. The two ends of a socketpair have different inodes and /proc/net/unix
// does not list peers, so this is the only way `procctl inspect` can say who holds the other end.
// Parent-side code only (never runs in a child).
#include "sock-diag.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <utility>
#include <vector>

#include "errors.h"
#include "fd-guard.h"

namespace procctl {
namespace {

void SendDumpRequest(Napi::Env env, int fd) {
  struct {
    nlmsghdr header;
    unix_diag_req request;
  } message;
  std::memset(&message, 0, sizeof message);
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = AF_UNIX;
  message.request.udiag_states = ~0U;
  message.request.udiag_show = UDIAG_SHOW_PEER;
  sockaddr_nl kernel;
  std::memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
    ThrowErrno(env, "sendto");
  }
}

// Adds [inode, peer] when the message carries a UNIX_DIAG_PEER attribute.
void CollectPeer(const nlmsghdr* header, std::vector<std::pair<uint32_t, uint32_t>>* out) {
  auto* diag = static_cast<const unix_diag_msg*>(NLMSG_DATA(header));
  int length = static_cast<int>(header->nlmsg_len) - NLMSG_LENGTH(sizeof *diag);
  auto* attribute = reinterpret_cast<const rtattr*>(diag + 1);
  for (; RTA_OK(attribute, length); attribute = RTA_NEXT(attribute, length)) {
    if (attribute->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(attribute) >= sizeof(uint32_t)) {
      uint32_t peer;
      std::memcpy(&peer, RTA_DATA(attribute), sizeof peer);
      if (peer != 0) out->emplace_back(diag->udiag_ino, peer);
    }
  }
}

}  // namespace

Napi::Value UnixSocketPeers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FdGuard socket_fd{socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)};
  if (socket_fd.get() < 0) ThrowErrno(env, "socket");
  SendDumpRequest(env, socket_fd.get());

  std::vector<std::pair<uint32_t, uint32_t>> peers;
  alignas(nlmsghdr) char buffer[32768];
  for (bool done = false; !done;) {
    ssize_t size = recv(socket_fd.get(), buffer, sizeof buffer, 0);
    if (size < 0) {
      if (errno == EINTR) continue;
      ThrowErrno(env, "recv");
    }
    if (size == 0) break;
    int remaining = static_cast<int>(size);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(header, remaining);
         header = NLMSG_NEXT(header, remaining)) {
      if (header->nlmsg_type == NLMSG_DONE) {
        done = true;
        break;
      }
      if (header->nlmsg_type == NLMSG_ERROR) {
        auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
        throw SystemError(env, -error->error, "sock_diag");
      }
      if (header->nlmsg_type == SOCK_DIAG_BY_FAMILY) CollectPeer(header, &peers);
    }
  }

  Napi::Array result = Napi::Array::New(env, peers.size());
  for (uint32_t i = 0; i < peers.size(); i++) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, static_cast<double>(peers[i].first));
    pair.Set(1u, static_cast<double>(peers[i].second));
    result.Set(i, pair);
  }
  return result;
}

}  // namespace procctl
