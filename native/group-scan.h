// Process groups seen through /proc, scanned in C: which groups have a live (non-zombie) member,
// and who the live members of one group are. The TypeScript group waits (lib/group.ts) poll these
// on a timer, so a scan has to stay cheap with thousands of processes.
#pragma once

#include <napi.h>

namespace procctl {

// groupScan(pgid, among?): pgid > 0: the live members of that group, sorted; pgid 0: the ids of
// every group with at least one live member, or only of those listed in `among`. With pgid > 0 or
// `among`, each process costs one getpgid(2) and only the groups' own processes are read from
// /proc/PID/stat (to leave zombies out). Processes that vanish mid-scan are skipped.
Napi::Value GroupScan(const Napi::CallbackInfo& info);

}  // namespace procctl
