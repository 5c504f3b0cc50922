// The model's clock and its randomness: virtual milliseconds in World.now
// (advanced by engine.ts, event by event) and a seeded xorshift32, so that
// a run from the same state and seed draws the same numbers, as
// reachable_time draws, DAD delays, proxy delays and random MACs need.

/** The next draw of a generator's state (the world's `rng`, or a table's own). */
export function nextRandom(w: { rng: number }): number {
  let x = w.rng | 0;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  w.rng = x >>> 0 || 1;
  return w.rng / 0x100000000;
}

/** neigh_rand_reach_time(): uniform in [base/2, 3·base/2). */
export function drawReachableTime(w: { rng: number }, base: number): number {
  return base ? Math.floor(base / 2 + nextRandom(w) * base) : 0;
}
