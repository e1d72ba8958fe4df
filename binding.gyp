# Two targets: the addon (procctl.node) and procctl-init, a fully static C program built by
# scripts/build-init.mjs (the one recipe, shared with npm run prebuild: musl when musl-gcc is
# installed, else static glibc).
# Both stay on the glibc 2.28 baseline: newer kernel interfaces go through syscall(SYS_...), and
# libstdc++/libgcc are linked statically so the addon needs no GLIBCXX_ or CXXABI_ version, and
# kept private with everything else (-fvisibility=hidden, --exclude-libs,ALL): the addon exports
# its N-API entry points and a few template instances (~30 symbols, not ~1,000), which also
# spares the dynamic linker work at every dlopen.
# -z nodelete: Node 22+ dlcloses an addon once no environment uses it (e.g. after the last worker
# that loaded it exits); the process-wide orphan list and any pending uv close callbacks must
# outlive that, so the addon is never unloaded.
{
  "targets": [
    {
      "target_name": "procctl",
      "sources": [
        "native/binding.cc",
        "native/child.cc",
        "native/clone.cc",
        "native/errors.cc",
        "native/exec-in-place.cc",
        "native/exit-watcher.cc",
        "native/glibc-compat.cc",
        "native/held-signals.cc",
        "native/group-scan.cc",
        "native/js-callback.cc",
        "native/instance.cc",
        "native/orphans.cc",
        "native/primitives.cc",
        "native/process-watch.cc",
        "native/request.cc",
        "native/sock-diag.cc",
        "native/spawn.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O3"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20", "-O3"],
      "cflags": ["-O2", "-Wall", "-fstack-protector-strong", "-fvisibility=hidden"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "ldflags": ["-static-libstdc++", "-static-libgcc", "-Wl,-z,nodelete", "-Wl,--exclude-libs,ALL"]
    },
    {
      "target_name": "procctl-init",
      "type": "none",
      "actions": [
        {
          "action_name": "build-init",
          "inputs": ["native/init/init.c", "native/init/exec-status.h", "scripts/build-init.mjs"],
          "outputs": ["<(PRODUCT_DIR)/procctl-init"],
          "action": ["<!(node -p process.execPath)", "scripts/build-init.mjs", "<(target_arch)", "<(PRODUCT_DIR)/procctl-init"]
        }
      ]
    }
  ]
}
