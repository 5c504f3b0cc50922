// How a command that runs until a signal ends does so as a C program without
// handlers would: ip monitor is killed by SIGINT/SIGTERM/SIGPIPE (130/143/141
// in a shell) and, started with SIGINT ignored (`cmd &` in a script), keeps
// running on it.
import { readFileSync } from 'node:fs';

export type EndingSignal = 'SIGINT' | 'SIGTERM' | 'SIGPIPE';
const NUMBERS: Record<EndingSignal, number> = { SIGINT: 2, SIGPIPE: 13, SIGTERM: 15 };

/**
 * Was SIGINT ignored when this process started? node resets every disposition
 * at start-up (so under node this is always false); the Bun executable keeps
 * what it inherited, which /proc/self/status shows.
 */
export function sigintIgnoredAtStart(): boolean {
  try {
    const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return m !== null && (BigInt(`0x${m[1]}`) & 2n) !== 0n;
  } catch {
    return false;
  }
}

/**
 * Ends the process by `sig` with its default action. node ignores SIGPIPE and
 * keeps its own handlers: a listener added and then removed puts the default
 * action back before the signal is sent.
 */
export function dieBy(sig: EndingSignal): never {
  const none = () => {};
  process.on(sig, none);
  process.removeAllListeners(sig);
  process.kill(process.pid, sig);
  process.exit(128 + NUMBERS[sig]);
}

/**
 * Ends the process by any signal's default action (a command tsnet ran in
 * ip's place died by it: ip, being that command, would have); 128 + its
 * number when it does not end the process.
 */
export function dieBySignal(sig: NodeJS.Signals, number: number): never {
  const none = () => {};
  process.on(sig, none);
  process.removeAllListeners(sig);
  try {
    process.kill(process.pid, sig);
  } catch {
    // not a signal this runtime lets a process send itself
  }
  process.exit(128 + number);
}
