// The `tsnet sim` views as a user meets them: the chart of states over time
// (terminal and SVG) for the README's ageing and bonding examples, the pcap
// of the model's frames read back by tcpdump, -j on every verb, the
// timeline's exact matches, and the small traps (units, usage lines,
// batches on the kernel, tables on a terminal).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePcap, encodePcap } from '../../src/wire/pcap.js';
import { encodeIpv4Frame, inetChecksum } from '../../src/wire/ipv4.js';
import { mentions, mentionsDevice } from '../../src/sim/commands.js';
import { rowMarks } from '../../src/sim/chart.js';
import type { Row } from '../../src/sim/history.js';

let dir: string;
let state: string;
// TSNET_FORBID_KERNEL makes any FFI load fail: none of these runs may need the kernel.
const tsnet = (args: string[], input?: string) =>
  execa('node', ['bin/run.js', '--state', state, ...args], { reject: false, env: { TSNET_FORBID_KERNEL: '1' }, ...(input !== undefined ? { input } : {}) });
/** Many sim lines in one process: `-batch -` on the model. */
const batch = (lines: string[], opts: string[] = ['--dry-run']) => tsnet([...opts, '-batch', '-'], lines.join('\n') + '\n');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsnet-simviews-'));
  state = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Seg { state: string; from: number; to: number; timer?: string; why: string }
interface ChartRow { kind: string; name: string; key: string; segments: Seg[] }

/** A small XML well-formedness check: every tag closed in order, attributes quoted, entities known, one root. */
function xmlTags(doc: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const body = doc.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const elements: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const open: { name: string; attrs: Record<string, string>; text: string }[] = [];
  let roots = 0;
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length && (m = re.exec(body))) {
    at = re.lastIndex;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5])) throw new Error(`a bare & in ${JSON.stringify(m[5])}`);
      if (open.length) open[open.length - 1].text += m[5];
      else if (m[5].trim()) throw new Error('text outside the root');
      continue;
    }
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      if (stack.pop() !== name) throw new Error(`</${name}> closes nothing open`);
      open.pop();
      continue;
    }
    if (!stack.length) roots++;
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    const el = { name, attrs, text: '' };
    elements.push(el);
    if (!selfClose) {
      stack.push(name);
      open.push(el);
    }
  }
  if (at !== body.length) throw new Error(`not XML at ${at}: ${JSON.stringify(body.slice(at, at + 40))}`);
  if (stack.length) throw new Error(`unclosed: ${stack.join(' ')}`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return elements;
}

describe('sim chart: states over time', () => {
  it('draws the README\'s ageing example: 10.0.0.3 through INCOMPLETE, REACHABLE, STALE, DELAY, PROBE, REACHABLE, at the times of the timeline', async () => {
    const svg = join(dir, 'ageing.svg');
    const r = await batch(['sim send 10.0.0.3', 'sim advance 50s', 'sim send 10.0.0.3', 'sim advance 6s', `sim chart 10.0.0.3 width 56 svg ${svg}`]);
    expect(r.exitCode, r.stderr).toBe(0);
    const j = await tsnet(['-j', 'sim', 'chart', '10.0.0.3']);
    const chart = JSON.parse(j.stdout) as { from_ms: number; to_ms: number; rows: ChartRow[] };
    expect(chart.rows.map((x) => x.name)).toEqual(['10.0.0.3 dev eth0']);
    const segs = chart.rows[0].segments;
    expect(segs.map((s) => s.state)).toEqual(['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'REACHABLE']);
    // Each state begins where the timeline says the entry changed, and ends where the next begins.
    const tl = JSON.parse((await tsnet(['-j', 'sim', 'timeline', '10.0.0.3', 'host', 'host'])).stdout) as { t: number; text: string }[];
    const changes = tl.filter((e) => / -> /.test(e.text) && e.text.startsWith('10.0.0.3 dev eth0:'));
    expect(segs.map((s) => s.from)).toEqual(changes.map((e) => e.t));
    for (let i = 1; i < segs.length; i++) expect(segs[i - 1].to).toBe(segs[i].from);
    // The times the README's commands make: sent at 1 ms, answered 0.2 ms later (the peer's delay); STALE after the drawn reachable_time;
    // the second packet at 50.002 s makes it DELAY for delay_first_probe_time (5 s), then PROBE, answered at once.
    const shown = JSON.parse((await tsnet(['-j', 'sim', 'show'])).stdout) as { time_ms: number; parameters: { devices: Record<string, { reachable_time_ms: number }> } };
    const reach = shown.parameters.devices.eth0.reachable_time_ms;
    expect(segs[0]).toMatchObject({ from: 1, to: 1.2, timer: 'retrans_time 1000ms' });
    expect(segs[1]).toMatchObject({ from: 1.2, timer: `reachable_time ${reach}ms` });
    // The timer fires at 1 + reachable_time, finds the entry confirmed just then, and looks again a jiffy later.
    expect(segs[2].from - (1.2 + reach)).toBeGreaterThanOrEqual(0);
    expect(segs[2].from - (1.2 + reach)).toBeLessThanOrEqual(1);
    expect(segs[3]).toMatchObject({ from: 50002, to: 55002, timer: 'delay_first_probe_time 5s' });
    // PROBE: one unicast probe, answered after the peer's 0.2 ms.
    expect(segs[4]).toMatchObject({ from: 55002, to: 55002.2 });
    expect(segs[5]).toMatchObject({ from: 55002.2, to: shown.time_ms });

    // The terminal chart: a row of one letter per state along the axis, a legend, then each state with its timer.
    const text = r.stdout.split('\n');
    const row = text.find((l) => l.startsWith('10.0.0.3 dev eth0  '))!;
    const marks = row.slice('10.0.0.3 dev eth0  '.length);
    expect(marks).toHaveLength(56);
    // Span 0.001 s .. 56.003 s over 56 columns: about one second a column.
    const col = (t: number) => Math.floor(((t - 1) / (56003 - 1)) * 56);
    expect(marks[0]).toBe('I');
    expect(marks[10]).toBe('R');
    expect(marks[col(1 + reach) + 1]).toBe('S');
    expect(marks[col(45000)]).toBe('S');
    expect(marks.slice(col(50002) + 1, col(55002) - 1)).toMatch(/^D+$/);
    // INCOMPLETE (0.2 ms) and PROBE (0.2 ms) are shorter than a column: each still gets one, beside where it was.
    expect(marks).toMatch(/^IR+S+D+PR$/);
    expect(text).toContain('neighbour: I INCOMPLETE  R REACHABLE  S STALE  D DELAY  P PROBE');
    expect(text.some((l) => /^ +50\.002s DELAY +for +5\.000s +delay_first_probe_time 5s +\(packet sent using a stale entry/.test(l))).toBe(true);
    expect(text.some((l) => new RegExp(`^ +0\\.001s REACHABLE +for +${((segs[1].to - segs[1].from) / 1000).toFixed(3)}s +reachable_time ${reach}ms`).test(l))).toBe(true);
    expect(text).toContain(`the chart as SVG: ${svg}`);

    // The SVG: well formed, one row group, a rectangle per state with its times.
    const doc = readFileSync(svg, 'utf8');
    const els = xmlTags(doc);
    expect(els[0]).toMatchObject({ name: 'svg', attrs: { xmlns: 'http://www.w3.org/2000/svg' } });
    expect(els.filter((e) => e.name === 'g' && e.attrs.class === 'row').map((e) => e.attrs['data-name'])).toEqual(['10.0.0.3 dev eth0']);
    const rects = els.filter((e) => e.name === 'rect' && e.attrs.class === 'state');
    // (Drawn in time order, but the states too short to see last, on top.)
    const drawn = rects.map((e) => [e.attrs['data-state'], Number(e.attrs['data-from-ms']), Number(e.attrs['data-to-ms'])] as const);
    expect([...drawn].sort((a, b) => a[1] - b[1] || a[2] - b[2])).toEqual(segs.map((s) => [s.state, s.from, s.to]));
    expect(drawn.slice(-2).map((d) => d[0])).toEqual(['INCOMPLETE', 'PROBE']);
    for (const e of rects) expect(Number(e.attrs.width)).toBeGreaterThanOrEqual(3);
    expect(els.find((e) => e.name === 'title')!.text).toBe('host: states over virtual time, 0.001s to 56.003s');
    expect(els.filter((e) => e.name === 'g' && e.attrs.class === 'legend')).toHaveLength(1);
    // The tooltips carry the timers.
    expect(doc).toContain(`<title>REACHABLE 0.001s to ${(segs[1].to / 1000).toFixed(3)}s, reachable_time ${reach}ms (ARP reply from 10.0.0.3)</title>`);
  }, 60000);

  it('draws the README\'s bonding example: kd1 UP, FAIL for downdelay, DOWN; kd2 UP all along', async () => {
    const svg = join(dir, 'bond.svg');
    const r = await batch([
      'link add kb0 type bond mode active-backup miimon 100 downdelay 200', 'link add kd1 type dummy', 'link add kd2 type dummy',
      'bond enslave kb0 kd1 kd2', 'link set kb0 up', 'sim carrier kd1 off', 'sim advance 300ms', `sim chart kb0 svg ${svg}`,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const chart = JSON.parse((await tsnet(['-j', 'sim', 'chart', 'kb0'])).stdout) as { to_ms: number; rows: ChartRow[] };
    expect(chart.rows.map((x) => [x.kind, x.name])).toEqual([['bond slave', 'kb0 slave kd1'], ['bond slave', 'kb0 slave kd2']]);
    const [kd1, kd2] = chart.rows.map((x) => x.segments);
    const t0 = kd1[0].from;
    expect(kd1.map((s) => [s.state, s.from - t0, s.to - t0])).toEqual([['UP', 0, 0], ['FAIL', 0, 200], ['DOWN', 200, 300]]);
    expect(kd1[1].timer).toBe('downdelay 200ms');
    expect(kd2.map((s) => [s.state, s.from - t0, s.to - t0])).toEqual([['UP', 0, 300]]);
    // One slave alone, by its name.
    expect((JSON.parse((await tsnet(['-j', 'sim', 'chart', 'kd2'])).stdout) as { rows: ChartRow[] }).rows.map((x) => x.name)).toEqual(['kb0 slave kd2']);

    const text = r.stdout.split('\n');
    const kd1Marks = text.find((l) => l.startsWith('kb0 slave kd1  '))!.slice('kb0 slave kd1  '.length);
    const kd2Marks = text.find((l) => l.startsWith('kb0 slave kd2  '))!.slice('kb0 slave kd2  '.length);
    // 300 ms over 60 columns: 5 ms a column.
    expect(kd1Marks).toMatch(/^UF{39}D{20}$/);
    expect(kd2Marks).toMatch(/^U{60}$/);
    expect(text).toContain('bond slave: U UP  F FAIL  D DOWN');
    expect(text.some((l) => /^ +\d+\.\d{3}s FAIL +for +0\.200s +downdelay 200ms +\(link status down for active interface, disabling it in 200 ms\)$/.test(l))).toBe(true);

    const els = xmlTags(readFileSync(svg, 'utf8'));
    expect(els.filter((e) => e.name === 'g' && e.attrs.class === 'row').map((e) => e.attrs['data-name'])).toEqual(['kb0 slave kd1', 'kb0 slave kd2']);
    // kd1's first UP lasted no time: drawn last in its row, on top.
    expect(els.filter((e) => e.name === 'rect' && e.attrs.class === 'state').map((e) => e.attrs['data-state'])).toEqual(['FAIL', 'DOWN', 'UP', 'UP']);
  }, 60000);

  it('follows an entry to FAILED, through a delete and back, and a slave through BACK (updelay)', async () => {
    const r = await batch([
      'sim send 10.0.0.77', 'sim advance 4s', 'sim send 10.0.0.3', 'sim advance 1s', 'neigh del 10.0.0.3 dev eth0', 'sim send 10.0.0.3', 'sim advance 1s',
      'link add kb0 type bond mode active-backup miimon 100 updelay 200', 'link add kd1 type dummy', 'link add kd2 type dummy',
      'bond enslave kb0 kd1 kd2', 'link set kb0 up', 'sim carrier kd1 off', 'sim advance 300ms', 'sim carrier kd1 on', 'sim advance 500ms',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const rows = (JSON.parse((await tsnet(['-j', 'sim', 'chart', '10.0.0.77', '10.0.0.3', 'kd1'])).stdout) as { rows: ChartRow[] }).rows;
    const seq = (name: string) => rows.find((x) => x.name === name)!.segments.map((s) => [s.state, s.from, s.to]);
    // Three broadcast probes a second apart, then FAILED, which it stays in.
    expect(seq('10.0.0.77 dev eth0')).toEqual([['INCOMPLETE', 1, 3001], ['FAILED', 3001, expect.any(Number)]]);
    // 10.0.0.3 was never used before this run; a delete ends its row (FAILED, then removed), a new packet starts it again.
    const s3 = seq('10.0.0.3 dev eth0');
    expect(s3.map(([s]) => s)).toEqual(['INCOMPLETE', 'REACHABLE', 'FAILED', 'INCOMPLETE', 'REACHABLE']);
    expect(s3[2][1]).toBe(s3[2][2]);
    expect(s3[3][1]).toBeGreaterThanOrEqual(s3[2][2] as number);
    const kd1 = seq('kb0 slave kd1');
    expect(kd1.map(([s]) => s)).toEqual(['UP', 'DOWN', 'BACK', 'UP']);
    const t0 = kd1[0][1] as number;
    // The carrier comes back at +300 ms, right after that tick: the next one (+400) sees it, updelay holds it BACK for two more.
    expect(kd1.map(([s, a, b]) => [s, (a as number) - t0, (b as number) - t0])).toEqual([['UP', 0, 0], ['DOWN', 0, 400], ['BACK', 400, 600], ['UP', 600, 800]]);
    expect(rows.find((x) => x.name === 'kb0 slave kd1')!.segments[2].timer).toBe('updelay 200ms');
  }, 60000);

  it('gives every state a letter, however short, beside where it was, and leaves a removed entry\'s columns empty', () => {
    const row = (segs: [string, number, number][]): Row => ({ kind: 'neighbour', host: 'host', name: 'x', key: 'x', segments: segs.map(([state, from, to]) => ({ state, from, to, why: '' })) });
    const span = { from: 0, to: 10000 };
    // One column a second: DELAY to the last column, then PROBE and REACHABLE within it.
    expect(rowMarks(row([['DELAY', 0, 9999], ['PROBE', 9999, 9999.2], ['REACHABLE', 9999.2, 10000]]), span, 10)).toBe('DDDDDDDDPR');
    expect(rowMarks(row([['INCOMPLETE', 0, 0.2], ['REACHABLE', 0.2, 10000]]), span, 10)).toBe('IRRRRRRRRR');
    // Deleted at 4.5 s (FAILED for no time, then gone), resolved again at 7 s.
    expect(rowMarks(row([['REACHABLE', 0, 4500], ['FAILED', 4500, 4500], ['INCOMPLETE', 7000, 7000.2], ['REACHABLE', 7000.2, 10000]]), span, 10))
      .toBe('RRRRF  IRR');
  });

  it('refuses what it cannot chart: junk, an address with no history, an unwritable file', async () => {
    expect(await tsnet(['sim', 'chart', 'nonsense'])).toMatchObject({
      exitCode: 255, stderr: 'sim: "nonsense" is neither an address nor a device of host\nUsage: tsnet sim chart [ ADDR | DEV ]... [ host NAME ] [ width N ] [ svg FILE ]',
    });
    expect(await tsnet(['sim', 'chart', '10.0.0.9'])).toMatchObject({ exitCode: 1, stderr: 'sim: no state changes of 10.0.0.9 on host\'s timeline' });
    const r = await tsnet(['sim', 'chart', 'svg', join(dir, 'no', 'such', 'dir.svg')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^sim: cannot write .*dir\.svg: ENOENT/);
  }, 30000);
});

/** tcpdump -r -xx -tt: [time, bytes as hex] per frame. */
function tcpdumpFrames(file: string): { t: string; hex: string; line: string }[] {
  const r = spawnSync('tcpdump', ['-r', file, '-n', '-tt', '-xx'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const frames: { t: string; hex: string; line: string }[] = [];
  for (const line of r.stdout.split('\n')) {
    const hex = /^\t0x[0-9a-f]{4}:\s+((?:[0-9a-f]{2,4}\s?)+)$/.exec(line);
    if (hex) frames[frames.length - 1].hex += hex[1].replace(/\s+/g, '');
    else if (/^\d+\.\d{6} /.test(line)) frames.push({ t: line.slice(0, line.indexOf(' ')), hex: '', line });
  }
  return frames;
}

const hasTcpdump = spawnSync('tcpdump', ['--version']).status === 0;

describe('sim pcap', () => {
  it('encodes the classic format and reads it back; IP frames carry correct checksums', () => {
    const udp = encodeIpv4Frame({ srcMac: '02:00:00:00:00:02', dstMac: '02:00:00:00:00:03', src: '10.0.0.2', dst: '10.0.0.3', proto: 'udp' });
    expect(udp.length).toBe(14 + 20 + 8 + 1);
    expect(inetChecksum(udp, 14, 20)).toBe(0);
    const icmp = encodeIpv4Frame({ srcMac: '02:00:00:00:00:03', dstMac: '02:00:00:00:00:02', src: '10.0.0.3', dst: '10.0.0.2', proto: 'icmp' });
    expect(inetChecksum(icmp, 14, 20)).toBe(0);
    expect(inetChecksum(icmp, 34, icmp.length - 34)).toBe(0);
    const file = encodePcap([{ ms: 1.5, bytes: udp }, { ms: 2001.25, bytes: icmp }]);
    // Magic, version 2.4, zone and sigfigs 0, snaplen 262144, LINKTYPE_ETHERNET: all little-endian.
    expect(Buffer.from(file.subarray(0, 24)).toString('hex')).toBe('d4c3b2a1' + '02000400' + '00000000' + '00000000' + '00000400' + '01000000');
    const back = decodePcap(file);
    expect(back).toMatchObject({ linktype: 1, records: [{ ms: 1.5, bytes: udp }, { ms: 2001.25, bytes: icmp }] });
    expect(decodePcap(file.subarray(0, 30))).toEqual({ error: 'truncated', at: 24 });
  });

  it.skipIf(!hasTcpdump)('writes what the model sent and received; tcpdump reads it back frame for frame, at the virtual times', async () => {
    const all = join(dir, 'all.pcap'), eth0 = join(dir, 'eth0.pcap'), peer = join(dir, 'peer3.pcap');
    // Resolved and answered (ARP, UDP, ICMP), then an address nobody has (three broadcast probes).
    const r = await batch(['sim reset empty', 'sim send 10.0.0.3', 'sim send 10.0.0.77', 'sim advance 4s'], ['--dry-run', '--trace=2']);
    expect(r.exitCode, r.stderr).toBe(0);
    // The model's own frames: the second trace level shows each frame the host sends, in hex as tcpdump -xx prints it.
    const traced: string[] = [];
    const lines = r.stderr.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^\[[\d.]+s\] host: eth0 sends /.test(lines[i])) continue;
      let hex = '';
      for (let j = i + 1; j < lines.length && /^\t0x/.test(lines[j]); j++) hex += lines[j].replace(/^\t0x[0-9a-f]{4}:\s+/, '').replace(/\s+/g, '');
      traced.push(hex);
    }
    expect(traced.length).toBe(4);

    const j = await tsnet(['-j', 'sim', 'pcap', all]);
    expect(j.exitCode, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout) as { file: string; host: string; frames: { t: number; dev: string; direction: string; length: number; hex: string }[] };
    expect(out).toMatchObject({ file: all, host: 'host' });
    const kinds = out.frames.map((f) => `${f.direction} ${f.hex.slice(24, 28)}`);
    // ARP request out, reply in, the UDP datagram out, the ICMP error in, then three unanswered requests.
    expect(kinds).toEqual(['out 0806', 'in 0806', 'out 0800', 'in 0800', 'out 0806', 'out 0806', 'out 0806']);
    expect(out.frames.filter((f) => f.direction === 'out' && f.hex.slice(24, 28) === '0806').map((f) => f.hex)).toEqual(traced);
    expect(out.frames.slice(4).map((f) => f.t)).toEqual([1, 1001, 2001]);

    const read = tcpdumpFrames(all);
    expect(read.map((f) => f.hex)).toEqual(out.frames.map((f) => f.hex));
    expect(read.map((f) => f.t)).toEqual(out.frames.map((f) => (f.t / 1000).toFixed(6)));
    expect(read[0].line).toContain('ARP, Request who-has 10.0.0.3 tell 10.0.0.2, length 28');
    expect(read[2].line).toContain('IP 10.0.0.2.50000 > 10.0.0.3.9: UDP, length 1');
    expect(read[3].line).toContain('IP 10.0.0.3 > 10.0.0.2: ICMP 10.0.0.3 udp port 9 unreachable');
    // tcpdump checks the checksums with -vv: none is bad.
    const vv = spawnSync('tcpdump', ['-r', all, '-n', '-vv'], { encoding: 'utf8' }).stdout;
    expect(vv).toContain('[udp sum ok]');
    expect(vv).not.toMatch(/bad|incorrect/i);

    // One device, and another host: the same frames seen from peer3 (the broadcasts to .77 reach it too).
    expect((await tsnet(['sim', 'pcap', eth0, 'dev', 'eth0'])).stdout).toBe(`7 frame(s) of host eth0 written to ${eth0} (pcap, Ethernet, virtual time)`);
    expect(tcpdumpFrames(eth0).map((f) => f.hex)).toEqual(out.frames.map((f) => f.hex));
    expect((await tsnet(['sim', 'pcap', peer, 'host', 'peer3'])).exitCode).toBe(0);
    expect(tcpdumpFrames(peer).map((f) => f.hex)).toEqual(out.frames.map((f) => f.hex));
    expect(await tsnet(['sim', 'pcap', eth0, 'dev', 'eth9'])).toMatchObject({ exitCode: 255, stderr: 'sim: no device "eth9" on host\nUsage: tsnet sim pcap FILE [ host NAME ] [ dev DEV ]' });
  }, 60000);
});

describe('-j on every sim verb', () => {
  it('prints one JSON value per verb, and the verb does what it does without -j', async () => {
    const svg = join(dir, 'c.svg'), cap = join(dir, 'c.pcap');
    const lines = [
      'sim reset seed 3', 'sim show', 'sim send 10.0.0.3 count 2 interval 10ms', 'sim advance 2s', 'sim timeline 10.0.0.3 last 3',
      'sim peer add peer9 ip 10.0.0.9', 'sim peer silent peer9 on', 'sim peer garp peer3', 'sim peer move 10.0.0.100 to peer4',
      'sim peer del peer9', 'sim set eth0 ucast_solicit 2', 'link add kd1 type dummy', 'sim carrier kd1 off',
      `sim chart 10.0.0.3 svg ${svg}`, `sim pcap ${cap}`,
    ];
    const r = await batch(lines, ['--dry-run', '-j']);
    expect(r.exitCode, r.stderr).toBe(0);
    // Each sim line printed one JSON line (link add prints nothing).
    const out = r.stdout.split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(lines.length - 1);
    const [reset, show, send, advance, timeline, add, silent, garp, move, del, set, carrier, chart, pcap] = out;
    expect(reset).toEqual({ reset: true, empty: false, seed: 3, time_ms: 1, hosts: ['host', 'gw', 'peer3', 'peer4', 'peer5'] });
    expect(show.hosts.map((h: { name: string }) => h.name)).toEqual(['host', 'gw', 'peer3', 'peer4', 'peer5']);
    expect(show.hosts[0]).toMatchObject({ name: 'host', gateway: '10.0.0.1', links: [{ name: 'eth0', mac: '02:00:00:00:00:02', addresses: ['10.0.0.2/24', 'fe80::ff:fe00:2/64'] }] });
    expect(show.hosts[0].neighbours).toEqual([{ dst: '10.0.0.1', dev: 'eth0', lladdr: '02:00:00:00:00:01', state: 'REACHABLE', timer_ms: expect.any(Number), probes: 4, queued: 0 }]);
    expect(show.parameters.devices.eth0).toMatchObject({ base_reachable_time_ms: 30000, retrans_time_ms: 1000, reachable_time_ms: expect.any(Number) });
    expect(send.packets).toEqual([
      { t: 1, dst: '10.0.0.3', via: '10.0.0.3', dev: 'eth0', src: '10.0.0.2', result: 'queued' },
      { t: 11, dst: '10.0.0.3', via: '10.0.0.3', dev: 'eth0', src: '10.0.0.2', result: 'sent' },
    ]);
    expect(send.events.map((e: { text: string }) => e.text)).toContain('10.0.0.3 dev eth0: INCOMPLETE -> REACHABLE (ARP reply from 10.0.0.3)');
    expect(advance).toMatchObject({ from_ms: 12, time_ms: 2012 });
    expect(Array.isArray(advance.events)).toBe(true);
    expect(timeline).toHaveLength(3);
    for (const e of timeline) expect(e).toMatchObject({ t: expect.any(Number), host: expect.any(String), text: expect.stringContaining('10.0.0.3') });
    expect(add).toEqual({ peer: 'peer9', ip: '10.0.0.9', mac: '02:00:00:00:00:09', segment: 'lan0', answers: true, delay_ms: 0.2 });
    expect(silent).toEqual({ peer: 'peer9', answers: false });
    expect(garp).toMatchObject({ peer: 'peer3', ip: '10.0.0.3', op: 'request' });
    expect(garp.events[0].text).toContain('gratuitous ARP request for 10.0.0.3');
    expect(move).toMatchObject({ ip: '10.0.0.100', to: 'peer4' });
    expect(move.events[0]).toMatchObject({ host: 'peer4', text: 'takes over 10.0.0.100' });
    expect(del).toEqual({ peer: 'peer9', removed: true });
    expect(set).toEqual({ host: 'host', dev: 'eth0', param: 'ucast_solicit', value: 2 });
    expect(carrier).toEqual({ host: 'host', dev: 'kd1', carrier: 'off' });
    expect(chart).toMatchObject({ host: 'host', svg, rows: [{ name: '10.0.0.3 dev eth0', segments: expect.any(Array) }] });
    expect(existsSync(svg)).toBe(true);
    expect(pcap).toMatchObject({ file: cap, host: 'host' });
    expect(pcap.frames.length).toBeGreaterThan(3);
    // The state: what the lines did is there.
    const text = await tsnet(['sim', 'show']);
    expect(text.stdout).not.toContain('peer9');
    expect(text.stdout).toMatch(/ucast_solicit +2/);
  }, 60000);

  it('-j sim help says it has no JSON and fails, before doing anything; pretty JSON with -p', async () => {
    await tsnet(['sim', 'show']);
    const before = readFileSync(state, 'utf8');
    expect(await tsnet(['-j', 'sim', 'help'])).toMatchObject({ exitCode: 1, stdout: '', stderr: 'sim help: no JSON output (the usage is text); run it without -j' });
    expect(readFileSync(state, 'utf8')).toBe(before);
    const p = await tsnet(['-j', '-p', 'sim', 'advance', '1s']);
    expect(p.stdout).toBe('{\n    "from_ms": 1,\n    "time_ms": 1001,\n    "events": []\n}');
  }, 30000);
});

describe('sim timeline', () => {
  it('matches an address exactly: 10.0.0.1 is not 10.0.0.100-109', async () => {
    expect(mentions('10.0.0.1 dev eth0: NONE -> INCOMPLETE', '10.0.0.1')).toBe(true);
    expect(mentions('who-has 10.0.0.1 tell 10.0.0.2', '10.0.0.1')).toBe(true);
    expect(mentions('10.0.0.1/24 dev eth0: added', '10.0.0.1')).toBe(true);
    expect(mentions('to 10.0.0.1.', '10.0.0.1')).toBe(true);
    expect(mentions('10.0.0.100 dev eth0', '10.0.0.1')).toBe(false);
    expect(mentions('110.0.0.1 dev eth0', '10.0.0.1')).toBe(false);
    expect(mentions('10.0.0.1.5', '10.0.0.1')).toBe(false);
    const r = await batch([
      ...Array.from({ length: 10 }, (_, i) => `sim peer add p10${i} ip 10.0.0.10${i}`),
      ...Array.from({ length: 10 }, (_, i) => `sim send 10.0.0.10${i}`),
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const all = (await tsnet(['sim', 'timeline', 'last', '1000'])).stdout.split('\n');
    const one = (await tsnet(['sim', 'timeline', '10.0.0.1', 'last', '1000'])).stdout.split('\n');
    expect(one.length).toBeGreaterThan(3);
    expect(one.every((l) => /\b10\.0\.0\.1\b(?!\d|\.\d)/.test(l))).toBe(true);
    expect(one.some((l) => /10\.0\.0\.10\d/.test(l) && !/\b10\.0\.0\.1(?![\d.])/.test(l))).toBe(false);
    expect(all.filter((l) => /10\.0\.0\.10\d/.test(l)).length).toBeGreaterThan(10);
    const hundred = (await tsnet(['sim', 'timeline', '10.0.0.100'])).stdout.split('\n');
    expect(hundred.every((l) => l.includes('10.0.0.100'))).toBe(true);
    // A device's name, as a whole word too.
    expect(mentionsDevice('kb0: (slave kd1): link status down', 'kd1')).toBe(true);
    expect(mentionsDevice('10.0.0.3 dev eth0: NONE -> INCOMPLETE', 'eth0')).toBe(true);
    expect(mentionsDevice('kd10: carrier off', 'kd1')).toBe(false);
    expect(mentionsDevice('kd1.5 created', 'kd1')).toBe(false);
    await batch(['link add kd1 type dummy', 'link add kd10 type dummy', 'sim carrier kd1 off', 'sim carrier kd10 off']);
    expect((await tsnet(['sim', 'timeline', 'kd1'])).stdout.split('\n').map((l) => l.replace(/^ +[\d.]+s +host +/, ''))).toEqual(['dummy kd1 created', 'kd1: carrier off (sim carrier)']);
  }, 60000);

  it('refuses junk with the one usage line, exit 255', async () => {
    const line = 'Usage: tsnet sim timeline [ ADDR | DEV ] [ host NAME ] [ last N ] [ kernel ]';
    expect(await tsnet(['sim', 'timeline', 'foo'])).toMatchObject({ exitCode: 255, stdout: '', stderr: `sim: "foo" is neither an address nor a device\n${line}` });
    expect(await tsnet(['sim', 'timeline', 'host', 'nosuch'])).toMatchObject({ exitCode: 255, stderr: `sim: no host "nosuch" (sim show lists them)\n${line}` });
    expect(await tsnet(['sim', 'timeline', 'last', 'x'])).toMatchObject({ exitCode: 255, stderr: `sim: last needs a whole number of events, not "x"\n${line}` });
    expect(await tsnet(['sim', 'timeline', '10.0.0.1', '10.0.0.2'])).toMatchObject({ exitCode: 255, stderr: `sim: timeline takes one address or device ("10.0.0.1" and "10.0.0.2")\n${line}` });
    // A real address with nothing on the timeline is no error.
    expect(await tsnet(['sim', 'timeline', '10.0.0.99'])).toMatchObject({ exitCode: 0, stdout: '(nothing happened yet)' });
  }, 30000);

  it('with kernel, each event names the kernel function that made it, as --trace tags it', async () => {
    const r = await batch(['sim reset empty', 'sim send 10.0.0.3', 'sim advance 40s']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = (await tsnet(['sim', 'timeline', '10.0.0.3', 'kernel'])).stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/10\.0\.0\.3 dev eth0: NONE -> INCOMPLETE .*\[__neigh_event_send\(\) neighbour\.c\]$/));
    expect(lines).toContainEqual(expect.stringMatching(/10\.0\.0\.3 dev eth0: INCOMPLETE -> REACHABLE .*\[arp_process\(\) arp\.c -> __neigh_update\(\) neighbour\.c\]$/));
    expect(lines).toContainEqual(expect.stringMatching(/10\.0\.0\.3 dev eth0: REACHABLE -> STALE .*\[neigh_timer_handler\(\) neighbour\.c\]$/));
    // Without the word, the same events and no tags.
    const plain = (await tsnet(['sim', 'timeline', '10.0.0.3'])).stdout.split('\n');
    expect(plain).toHaveLength(lines.length);
    expect(plain.some((l) => /\[\w+\(\) \w+\.c/.test(l))).toBe(false);
    const json = JSON.parse((await tsnet(['-j', 'sim', 'timeline', '10.0.0.3'])).stdout) as { fn?: string }[];
    expect(json.every((e) => typeof e.fn === 'string' && e.fn.length > 0)).toBe(true);
  }, 30000);
});

describe('the small traps', () => {
  it('advance needs a unit (0 needs none); the clock does not move on a refusal', async () => {
    expect(await tsnet(['sim', 'advance', '10'])).toMatchObject({
      exitCode: 255, stdout: '', stderr: 'sim: advance 10: which unit? say 10ms, 10s, 10m or 10h\nUsage: tsnet sim advance TIME                  TIME := N{ms|s|m|h}',
    });
    expect(await tsnet(['sim', 'advance', '0'])).toMatchObject({ exitCode: 0, stdout: 'virtual time 0.001s' });
    expect(await tsnet(['sim', 'advance', '10ms'])).toMatchObject({ exitCode: 0, stdout: 'virtual time 0.011s' });
    expect((await tsnet(['sim', 'send', '10.0.0.3', 'count', '2', 'interval', '5'])).stderr).toBe(
      'sim: send interval 5: which unit? say 5ms, 5s, 5m or 5h\nUsage: tsnet sim send DST [ dev DEV ] [ count N ] [ interval TIME ] [ confirm ]');
    expect((await tsnet(['sim', 'send', '10.0.0.3', 'count', '2', 'interval', '0'])).exitCode).toBe(0);
  }, 30000);

  it('an error prints its verb\'s usage, not all of it; help and an unknown verb print all of it', async () => {
    for (const [args, usage] of [
      [['sim', 'carrier', 'eth0', 'maybe'], 'Usage: tsnet sim carrier DEV on|off            (a cable pulled or plugged; a veth: its peer end down or up)'],
      [['sim', 'send', 'nowhere'], 'Usage: tsnet sim send DST [ dev DEV ] [ count N ] [ interval TIME ] [ confirm ]'],
      [['sim', 'reset', 'twice'], 'Usage: tsnet sim reset [ empty ] [ seed N ]'],
    ] as const) {
      const r = await tsnet([...args]);
      expect(r.exitCode).toBe(255);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr.split('\n')[1]).toBe(usage);
    }
    const peer = await tsnet(['sim', 'peer', 'move', '10.0.0.100']);
    expect(peer.stderr.split('\n')).toEqual([
      'sim: peer move needs "to NAME"',
      'Usage: tsnet sim peer add NAME ip ADDR [ mac LLADDR ] [ segment SEG ] [ silent ] [ delay MS ]',
      '       tsnet sim peer { del NAME | silent NAME on|off | garp NAME [ ip ADDR ] [ reply ] }',
      '       tsnet sim peer move ADDR to NAME        (a VIP move: the new holder sends a gratuitous ARP)',
    ]);
    const set = await tsnet(['sim', 'set', 'eth0', 'nonsense', '1']);
    expect(set.stderr.split('\n')[0]).toBe('sim: unknown parameter "nonsense"');
    expect(set.stderr).toContain('PARAM := { base_reachable_time_ms');
    const help = await tsnet(['sim', 'help']);
    expect(help.exitCode).toBe(255);
    expect(help.stderr.split('\n')).toHaveLength(16);
    expect((await tsnet(['sim', 'frobnicate'])).stderr.split('\n')).toHaveLength(17);
  }, 30000);

  it('a sim line of a batch runs on the model with or without --dry-run, as the command alone does', async () => {
    const lines = ['sim send 10.0.0.3', 'sim advance 1s', 'sim timeline 10.0.0.3 last 1'];
    const kernel = await batch(lines, []);
    expect(kernel.stderr).toBe('');
    expect(kernel.exitCode).toBe(0);
    expect(kernel.stdout.split('\n')).toEqual([
      'UDP packet to 10.0.0.3 dev eth0: queued, then sent to 02:00:00:00:00:03 at 0.001s when 10.0.0.3 resolved', 'virtual time 1.002s',
      expect.stringMatching(/^ +0\.001s +host +10\.0\.0\.3 dev eth0: 1 queued packet\(s\) sent to 02:00:00:00:00:03$/),
    ]);
    // The batch saved the model: the next run sees the entry.
    expect((await tsnet(['--dry-run', 'neigh', 'show', '10.0.0.3'])).stdout).toBe('10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 REACHABLE ');
    const model = await batch(lines.slice(1), ['--dry-run']);
    expect(model.exitCode).toBe(0);
    expect(model.stdout.split('\n')[0]).toBe('virtual time 2.002s');
  }, 30000);

  it('draws the views with cli-table3 on a terminal, plain columns otherwise', async () => {
    await tsnet(['sim', 'send', '10.0.0.3']);
    const plain = await tsnet(['sim', 'show']);
    expect(plain.stdout).not.toMatch(/[┌│└]/);
    expect(plain.stdout).toMatch(/^address +dev +lladdr +state/m);
    const cmd = `node bin/run.js --state ${state} sim show; node bin/run.js --state ${state} sim timeline last 2`;
    const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, TSNET_FORBID_KERNEL: '1', COLUMNS: '120' } });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/┌─+┬/);
    expect(tty.stdout).toMatch(/│ address +│ dev +│ lladdr +│ state/);
    expect(tty.stdout).toMatch(/│ time +│ host +│ event/);
    // The same rows either way.
    expect(tty.stdout).toMatch(/│ 10\.0\.0\.3 +│ eth0 +│ 02:00:00:00:00:03 +│ REACHABLE/);
  }, 30000);
});

describe('the state file', () => {
  it('keeps the capture bounded whatever the traffic', async () => {
    // About 2,000 datagrams out and their ICMP errors in (one a second): more than the bound holds.
    const r = await batch(['sim send 10.0.0.3 count 2500 interval 10ms', 'sim advance 5s']);
    expect(r.exitCode, r.stderr).toBe(0);
    const w = JSON.parse(readFileSync(state, 'utf8')) as { capture: string };
    expect(w.capture.length).toBeLessThanOrEqual(200000);
    expect(w.capture.length).toBeGreaterThan(100000);
    // Whole lines: the first is a complete frame.
    expect(w.capture.split('\n')[0]).toMatch(/^[\d.]+ \S+ \d+ (in|out) [0-9a-f]+$/);
  }, 60000);
});
