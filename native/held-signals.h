// holdSignals' handler (primitives.cc), named here so that execve in place (child.cc) can leave
// it installed: the kernel resets it at the exec, once Node's other threads are gone.
#pragma once

namespace procctl {

// Sends a held signal on to the thread that holds it (blocked there, so it stays pending).
extern "C" void ResendToHolder(int sig);

}  // namespace procctl
