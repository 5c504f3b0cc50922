// Loads koffi, the FFI that src/kernel (sockets) and src/lib/flock.ts (the
// model's state lock) call libc through. Only a run that needs it pays.
import type * as Koffi from 'koffi';

let cached: typeof Koffi | undefined;

/**
 * koffi's own loader finds its binary by reading node's ELF header and
 * probing paths: ~10 ms of the ~12 ms that `require('koffi')` costs here.
 * On glibc x64/arm64 the prebuilt binary's place is known, so it is opened
 * directly (~1.5 ms); anywhere else, or if that fails, koffi's loader runs.
 */
export function loadKoffi(): typeof Koffi {
  if (cached) return cached;
  if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64') && !process.env.TSNET_KOFFI_LOADER) {
    try {
      const path = require.resolve(`@koromix/koffi-linux-${process.arch}/linux_${process.arch}/koffi.node`);
      const m = { exports: {} as typeof Koffi };
      process.dlopen(m, path);
      if (typeof m.exports.load === 'function') return (cached = m.exports);
    } catch {
      // fall through to koffi's loader
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (cached = require('koffi') as typeof Koffi);
}
