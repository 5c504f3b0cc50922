// The Bun executable's JIT tier-up policy around a loop that a short run should
// interpret. Its JavaScriptCore compiles a function that runs often to machine
// code on a second thread; for `addr show` of 1,000 addresses that compiling was
// most of the extra CPU over an empty listing (perf stat task-clock, interleaved
// medians: +10-12 ms with it, +4-5 ms without, ip +3 ms;
// BUN_JSC_reportCompileTimes=1 lists what it compiles), a run too short to get
// back what the compiled code saves.
// Under node, or a Bun without Bun.unsafe.setJITPolicy, `run` just runs.

/** The scale scripts/build.mjs starts the executable with (--compile-jit-policy). */
const BUILD_JIT_POLICY = 10;
/** The scale while `run` runs: no tier-up within 1,000 addresses; a far longer loop still gets compiled. */
const INTERPRET_POLICY = 1000;

type SetJITPolicy = (scale: number) => void;
const setJITPolicy = (globalThis as { Bun?: { unsafe?: { setJITPolicy?: SetJITPolicy } } }).Bun?.unsafe?.setJITPolicy;

/** Runs `run` with JavaScriptCore's tier-up thresholds raised, then puts the build's back. */
export function interpreted<T>(run: () => T): T {
  if (!setJITPolicy) return run();
  setJITPolicy(INTERPRET_POLICY);
  try {
    return run();
  } finally {
    setJITPolicy(BUILD_JIT_POLICY);
  }
}
