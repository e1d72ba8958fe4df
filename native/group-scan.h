// Process groups seen through /proc, scanned in C: which groups have a live (non-zombie) member,
// who the live members of one group are, and one live member of each group asked about. The
// TypeScript group waits (lib/group/members.ts) scan when no member they know of is alive, so a scan has to
// stay cheap with thousands of processes.
#pragma once

#include <napi.h>

namespace procctl {

// groupScan(pgid, among?): pgid > 0: the live members of that group, sorted; pgid 0: the ids of
// every group with at least one live member, or only of those listed in `among`. With pgid > 0 or
// `among`, each process costs one getpgid(2) and only the groups' own processes are read from
// /proc/PID/stat (to leave zombies out). Processes that vanish mid-scan are skipped.
Napi::Value GroupScan(const Napi::CallbackInfo& info);

// groupWitnesses(among): the same pass as groupScan(0, among), answering with one live member per
// group: [pgid, pid] for every group in `among` that has a live member. A waiter watches that
// member's exit (process-watch.h) instead of polling while it lives.
Napi::Value GroupWitnesses(const Napi::CallbackInfo& info);

}  // namespace procctl
