// npm's install hook. On Linux: node-gyp-build (use the prebuild for this platform, else build
// from source). Anywhere else: nothing, so that installing a tool which depends on procctl never
// fails on macOS or Windows; procctl itself then reports the platform (platformSupport()).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

if (process.platform !== 'linux') {
  console.log(`procctl: ${process.platform} is not supported (Linux only); nothing to build`);
  process.exit(0);
}
const require = createRequire(import.meta.url);
const result = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
