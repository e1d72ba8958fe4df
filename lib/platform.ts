// Where procctl runs: Linux only (clone, pidfds, /proc). Elsewhere the package still installs and
// imports, so a tool that merely depends on it keeps working; platformSupport() (lib/native.ts)
// says why not, and every entry point throws one UnsupportedPlatformError naming the platform
// before doing anything else. No imports: lib/native.ts uses it too.

const unsupportedBrand = Symbol.for('procctl.UnsupportedPlatformError');

/** Thrown by every procctl function on a platform other than Linux. */
export class UnsupportedPlatformError extends Error {
  declare readonly [unsupportedBrand]: true;
  readonly code = 'ERR_PROCCTL_UNSUPPORTED_PLATFORM';
  /** process.platform where the call was made ('darwin', 'win32', …). */
  readonly platform: string;

  constructor(platform: string) {
    super(`procctl supports Linux only; this is ${platform} (process.platform)`);
    this.name = 'UnsupportedPlatformError';
    this.platform = platform;
    Object.defineProperty(this, unsupportedBrand, { value: true });
  }

  static is(value: unknown): value is UnsupportedPlatformError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[unsupportedBrand] === true;
  }
}

/** Throws UnsupportedPlatformError unless this is Linux. First step of every entry point. */
export function assertSupportedPlatform(): void {
  if (process.platform !== 'linux') throw new UnsupportedPlatformError(process.platform);
}
