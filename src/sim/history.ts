// States over time, read back from the timeline (the one record of what
// happened): each neighbour entry's NUD states, and each bond slave's MII
// link states (UP, FAIL, DOWN, BACK), as segments of virtual time. The
// timeline's texts are written in neighbour.ts (setState, the removals) and
// bond.ts (the driver's messages); the patterns here follow them, and
// test/unit/sim-views.test.ts runs the model to keep the two in step.
import type { SimHost, SimLink, TimelineEvent, World } from './world.js';

export interface Segment {
  state: string;
  /** Virtual ms; `to` is now for the state an entry is still in. */
  from: number;
  to: number;
  /** The timer that ends the state, as the kernel armed it (reachable_time 23411ms), when one does. */
  timer?: string;
  /** Why the state began (the timeline's cause). */
  why: string;
}

export interface Row {
  kind: 'neighbour' | 'bond slave';
  host: string;
  /** `10.0.0.3 dev eth0`, or `kb0 slave kd1`. */
  name: string;
  /** The address (a neighbour) or the slave's device (a bond slave), and the bond. */
  key: string;
  bond?: string;
  segments: Segment[];
}

const NEIGH_CHANGE = /^(\S+) dev (\S+): ([A-Z,]+) -> ([A-Z,]+) \((.*)\)$/;
const NEIGH_GONE = /^(\S+) dev (\S+): (removed|garbage collected)\b/;
const SLAVE = /^(\S+?)(?: \(unregistering\))?: \(slave (\S+)\): (.*)$/;

/** The slave's new MII link state that a bonding message announces, if any. */
function slaveState(text: string): { state: string; timer?: string } | 'released' | undefined {
  let m: RegExpExecArray | null;
  if (text.startsWith('Enslaving as ')) return { state: text.endsWith('with a down link') ? 'DOWN' : 'UP' };
  if (text.startsWith('Releasing ')) return 'released';
  if ((m = /^link status down for .*disabling it in (\d+) ms$/.exec(text))) return { state: 'FAIL', timer: `downdelay ${m[1]}ms` };
  if ((m = /^link status up, enabling it in (\d+) ms$/.exec(text))) return { state: 'BACK', timer: `updelay ${m[1]}ms` };
  if (text.startsWith('link status up again after ')) return { state: 'UP' };
  if (text.startsWith('link status down again after ')) return { state: 'DOWN' };
  if (text.startsWith('link status definitely up')) return { state: 'UP' };
  if (text.startsWith('link status definitely down')) return { state: 'DOWN' };
  return undefined;
}

/** The timer that ends a NUD state: from the causes when they name it, else the device's parameters now. */
function nudTimer(state: string, whyIn: string, whyOut: string | undefined, link: SimLink | undefined): string | undefined {
  const p = link?.params;
  const named = (re: RegExp, text: string | undefined) => (text !== undefined ? re.exec(text)?.[0] : undefined);
  switch (state) {
    case 'INCOMPLETE':
      return named(/retrans_time \d+ms/, whyIn) ?? (p && `retrans_time ${p.retrans_time_ms}ms`);
    case 'REACHABLE':
      return named(/reachable_time \d+ms/, whyOut) ?? (link && `reachable_time ${link.reachable_time_ms}ms`);
    case 'DELAY':
      return named(/delay_first_probe_time [\d.]+s/, whyIn) ?? (p && `delay_first_probe_time ${p.delay_first_probe_time_ms / 1000}s`);
    case 'PROBE':
      return p && `retrans_time ${p.retrans_time_ms}ms`;
    case 'STALE':
      return p && `gc_stale_time ${p.gc_stale_time_ms / 1000}s`;
    default:
      return undefined;
  }
}

/** Every neighbour entry and bond slave that changed state on `host`, in the order they first did. */
export function historyOf(w: World, host: SimHost): Row[] {
  const events = w.timeline.filter((e) => e.host === host.name);
  const start = w.timeline[0]?.t ?? 0;
  const rows = new Map<string, Row>();
  const open = new Map<string, Segment>();
  const whyOut = new Map<Segment, string>();
  const rowFor = (id: string, make: () => Row) => {
    let r = rows.get(id);
    if (!r) rows.set(id, (r = make()));
    return r;
  };
  const close = (id: string, t: number, why?: string) => {
    const s = open.get(id);
    if (!s) return;
    s.to = t;
    if (why !== undefined) whyOut.set(s, why);
    open.delete(id);
  };
  const begin = (row: Row, id: string, state: string, t: number, why: string, timer?: string) => {
    const s: Segment = { state, from: t, to: t, why, ...(timer ? { timer } : {}) };
    row.segments.push(s);
    open.set(id, s);
  };
  for (const e of events) if (!neighbourEvent(e)) slaveEvent(e);

  function neighbourEvent(e: TimelineEvent): true | undefined {
    let m = NEIGH_CHANGE.exec(e.text);
    if (m) {
      const id = `n ${m[1]} ${m[2]}`;
      const row = rowFor(id, () => ({ kind: 'neighbour', host: host.name, name: `${m![1]} dev ${m![2]}`, key: m![1], segments: [] }));
      // An entry already there before the timeline's first event: its earlier state from the start.
      if (!open.has(id) && m[3] !== 'NONE' && !row.segments.length) begin(row, id, m[3], start, '(before the timeline)');
      close(id, e.t, m[5]);
      begin(row, id, m[4], e.t, m[5]);
      return true;
    }
    m = NEIGH_GONE.exec(e.text);
    if (m && rows.has(`n ${m[1]} ${m[2]}`)) {
      close(`n ${m[1]} ${m[2]}`, e.t, m[3]);
      return true;
    }
    return undefined;
  }

  function slaveEvent(e: TimelineEvent): void {
    const m = SLAVE.exec(e.text);
    const s = m && slaveState(m[3]);
    if (!m || !s) return;
    const id = `s ${m[1]} ${m[2]}`;
    if (s === 'released') {
      close(id, e.t);
      return;
    }
    const row = rowFor(id, () => ({ kind: 'bond slave', host: host.name, name: `${m[1]} slave ${m[2]}`, key: m[2], bond: m[1], segments: [] }));
    const cur = open.get(id);
    // "definitely up" from a state thought UP: the slave was enslaved going BACK (updelay), which the driver does not say.
    if (cur && cur.state === 'UP' && s.state === 'UP' && m[3].startsWith('link status definitely up')) cur.state = 'BACK';
    if (cur && cur.state === s.state) return;
    close(id, e.t);
    begin(row, id, s.state, e.t, m[3], s.timer);
  }

  for (const s of open.values()) s.to = w.now;
  for (const row of rows.values()) {
    if (row.kind !== 'neighbour') continue;
    const dev = / dev (\S+)$/.exec(row.name)?.[1];
    const link = host.links.find((l) => l.name === dev);
    for (const s of row.segments) {
      const t = nudTimer(s.state, s.why, whyOut.get(s), link);
      if (t && !s.timer) s.timer = t;
    }
  }
  return [...rows.values()];
}
