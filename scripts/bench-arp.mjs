// ARP codec throughput: encode + decode of 1,000,000 frames on one core.
// Goal: >= 5M frames/s. Runs on the bundle's own code, built for this bench.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'tsnet-bench-arp-'));
try {
  const out = join(dir, 'arp.cjs');
  await build({ entryPoints: ['src/wire/arp.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error' });
  const { encodeArpFrame, decodeArpFrame, FRAME_LEN } = createRequire(import.meta.url)(out);
  const N = 1000000;
  const frame = { ethDst: 0xffffffffffff, ethSrc: 0x020000000a01, op: 1, sha: 0x020000000a01, spa: 0x0a090001, tha: 0xffffffffffff, tpa: 0x0a090002 };
  const buf = new Uint8Array(FRAME_LEN);
  let check = 0;
  const run = (n) => {
    for (let i = 0; i < n; i++) {
      frame.tpa = 0x0a090000 + (i & 0xffff);
      encodeArpFrame(frame, buf);
      const f = decodeArpFrame(buf);
      check += f.tpa & 255;
    }
  };
  run(100000); // warm up
  const t = process.hrtime.bigint();
  run(N);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const rate = N / s;
  console.log(`${rate >= 5e6 ? 'ok  ' : 'MISS'} ARP encode+decode: ${(rate / 1e6).toFixed(2)} M frames/s (${N} in ${(s * 1000).toFixed(0)} ms)   (goal >= 5 M/s)  [check ${check % 7}]`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
