// Unix domain sockets: the two ends of a socketpair (or a connection) have different inodes, so
// matching by inode alone cannot say who is on the other end. /proc/net/unix lists the sockets
// but not their peers; the peer comes from NETLINK_SOCK_DIAG (UNIX_DIAG_PEER), which needs a
// netlink socket and so the native addon. Without it, only same-inode sharing is reported.
import { readFileSync } from 'node:fs';
import { native } from '../native.js';

/** inode → bound path ('' for unnamed sockets, '@name' for the abstract namespace). */
export function readUnixSocketTable(): Map<number, string> {
  const table = new Map<number, string>();
  let text: string;
  try {
    text = readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return table;
  }
  for (const line of text.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode [Path]
    const fields = line.trim().split(/\s+/);
    if (fields.length < 7) continue;
    table.set(Number(fields[6]), fields.slice(7).join(' '));
  }
  return table;
}

/**
 * Peer inode of every connected unix socket in this network namespace (both directions), or
 * undefined when the addon cannot tell (not built, or without sock_diag support). The addon is
 * loaded only here, so inspecting a process without unix sockets never loads it.
 */
export function readUnixSocketPeers(): Map<number, number> | undefined {
  try {
    const peers = new Map<number, number>();
    for (const [inode, peer] of native().unixSocketPeers()) {
      peers.set(inode, peer);
      peers.set(peer, inode);
    }
    return peers;
  } catch {
    return undefined;
  }
}
