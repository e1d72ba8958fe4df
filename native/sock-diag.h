// Unix socket peers through NETLINK_SOCK_DIAG (see sock-diag.cc).
#pragma once

#include <napi.h>

namespace procctl {

// unixSocketPeers(): Array<[inode, peerInode]> for every connected AF_UNIX socket.
Napi::Value UnixSocketPeers(const Napi::CallbackInfo& info);

}  // namespace procctl
