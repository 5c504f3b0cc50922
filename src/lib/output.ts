// One printer for text and JSON, as iproute2's json_print.c: each field is
// printed once with a text form and a JSON key, so the two cannot drift.
// JSON layout follows json_writer.c byte for byte (separators, pretty
// indentation of four spaces, "[ " and " ]" around pretty arrays).
import { writeSync } from 'node:fs';

export const enum Color { IFNAME, MAC, INET, INET6, UP, DOWN, NONE }

const LIGHT = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[34m', '\x1b[32m', '\x1b[31m'];
const DARK = ['\x1b[1;36m', '\x1b[1;33m', '\x1b[1;35m', '\x1b[1;34m', '\x1b[1;32m', '\x1b[1;31m'];
const CLEAR = '\x1b[0m';

let stdoutGone = false;

/** Has a write to stdout met a closed pipe (EPIPE)? `monitor` then ends as ip does, by SIGPIPE. */
export function stdoutClosed(): boolean {
  return stdoutGone;
}

/**
 * write(2) through libc, set once libc is loaded under Bun (libc-bun.ts): Bun
 * builds node:fs at its first use (~2 ms of a ~30 ms `neigh show`), and a
 * command that talks to the kernel has libc loaded anyway. Returns the bytes
 * written, or -errno for EAGAIN, EINTR and EPIPE; throws on other errors.
 */
let rawWrite: ((fd: number, b: Buffer) => number) | undefined;

export function writeThrough(write: (fd: number, b: Buffer) => number): void {
  rawWrite = write;
}

/** fs.writeSync as -errno on failure, as rawWrite reports it. */
function fsWrite(fd: number, b: Buffer): number {
  try {
    return writeSync(fd, b);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EAGAIN') return -EAGAIN;
    if (err.code === 'EPIPE') return -EPIPE;
    throw e;
  }
}

const EAGAIN = 11, EPIPE = 32;

/** Writes all of `s` to a file descriptor, waiting out EAGAIN on non-blocking pipes. */
export function writeAll(fd: number, s: string): void {
  writeAllBytes(fd, Buffer.from(s));
}

/** writeAll() of bytes. */
export function writeAllBytes(fd: number, bytes: Buffer): void {
  let b = bytes;
  while (b.length) {
    const n = (rawWrite ?? fsWrite)(fd, b);
    if (n >= 0) {
      b = b.subarray(n);
      continue;
    }
    if (n === -EPIPE) {
      if (fd === 1) stdoutGone = true;
      return;
    }
    // -EAGAIN (a non-blocking pipe is full) or -EINTR (libc's write only): again.
  }
}

/**
 * Plain text as bytes, for the printers of long listings (10,000 neighbours):
 * they write each line's bytes into `buf` from `pos` on, with no string made
 * per field or per line, and hand the buffer on when it passes FLUSH_AT.
 * Output owns one; its text comes before Output's pending strings.
 */
export class TextBytes {
  /** Past this many bytes a printer calls flush() (after a whole line: a line fits in the rest). */
  static readonly FLUSH_AT = 1 << 16;
  readonly buf: Buffer = Buffer.allocUnsafe(2 * TextBytes.FLUSH_AT);
  pos = 0;

  /** Writes the pending bytes to stdout. */
  flush(): void {
    if (this.pos) {
      writeAllBytes(1, this.buf.subarray(0, this.pos));
      this.pos = 0;
    }
  }

  /**
   * Appends src[s, e). A run of 16 KiB or more is written out from src after the pending bytes
   * (no copy, and no more of this buffer's pages faulted in); a shorter one is copied.
   */
  append(src: Buffer, s: number, e: number): void {
    if (e - s >= 1 << 14) {
      this.flush();
      writeAllBytes(1, src.subarray(s, e));
      return;
    }
    if (this.pos + (e - s) > this.buf.length) this.flush();
    this.pos += src.copy(this.buf, this.pos, s, e);
    if (this.pos > TextBytes.FLUSH_AT) this.flush();
  }

  /** Appends a string as UTF-8 (its bytes as writeAll() makes them): for the rare fields without a byte form. */
  text(s: string): void {
    if (this.pos + 3 * s.length > this.buf.length) this.flush();
    if (3 * s.length > this.buf.length) writeAll(1, s);
    else this.pos += this.buf.write(s, this.pos);
  }

  /** Returns and clears the pending text. */
  take(): string {
    const s = this.buf.toString('utf8', 0, this.pos);
    this.pos = 0;
    return s;
  }
}

/** The decimal digits of v (an unsigned 32-bit number) written at o[p]; returns the offset after them. */
export function putUint(o: Uint8Array, p: number, v: number): number {
  let n = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) n++;
  for (let q = p + n - 1; q >= p; q--) {
    o[q] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  return p + n;
}

/** Names' bytes (UTF-8), made once per text. */
const textBytes = new Map<string, Buffer>();

/**
 * A name's bytes (a device, a protocol, a scope: a small set of texts, each
 * printed many times) written at o[p]; returns the offset after them.
 */
export function putText(o: Buffer, p: number, s: string): number {
  let b = textBytes.get(s);
  if (!b) textBytes.set(s, (b = Buffer.from(s)));
  return p + b.copy(o, p);
}

/**
 * A constant text's bytes, copied into a TextBytes buffer with `p += c.copy(o, p)`:
 * in the interpreter one native copy costs less than a loop over a few bytes.
 */
export function ascii(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

export class Output {
  /** Pending stdout text; joined once per flush (cheaper than growing one string). */
  private parts: string[] = [];
  private size = 0;
  private textBytes?: TextBytes;
  /** JSON writer state: null when printing text. */
  private jsonDepth = 0;
  private sep = '';
  private palette: string[] | null = null;

  constructor(public json: boolean, public pretty: boolean) {}

  enableColor(dark: boolean): void {
    this.palette = dark ? DARK : LIGHT;
  }

  /** Text without colour: a printer may then write whole lines at once. */
  get plainText(): boolean {
    return !this.json && this.palette === null;
  }

  /** ip's _SL_, the text line break inside one entry: "\\" with -oneline (set by the command). */
  lineBreak = '\n';

  /** print_nl(): a line break in text output only. */
  nl(): void {
    if (!this.json) this.write(this.lineBreak);
  }

  /** Text-only output (PRINT_FP). */
  fp(s: string): void {
    if (!this.json) this.write(s);
  }

  /** Text-only output in a colour. */
  fpColor(c: Color, s: string): void {
    if (!this.json) this.write(this.palette && c !== Color.NONE ? this.palette[c] + s + CLEAR : s);
  }

  /** A string field: `text` in text mode, key: "value" in JSON (value alone when key is null). */
  string(key: string | null, text: string, value: string, color: Color = Color.NONE): void {
    if (this.json) this.jsonValue(key, jsonString(value));
    else this.fpColor(color, text);
  }

  uint(key: string, text: string, value: number): void {
    if (this.json) this.jsonValue(key, String(value));
    else this.write(text);
  }

  /** A value written into JSON as it is (jsonw_printf), e.g. a timer's 0.00. */
  raw(key: string, text: string, json: string): void {
    if (this.json) this.jsonValue(key, json);
    else this.write(text);
  }

  /** A flag: key: null in JSON. */
  null(key: string, text: string): void {
    if (this.json) this.jsonValue(key, 'null');
    else this.write(text);
  }

  bool(key: string, text: string, value: boolean): void {
    if (this.json) this.jsonValue(key, value ? 'true' : 'false');
    else this.write(text);
  }

  openObject(key: string | null = null): void {
    if (!this.json) return;
    if (key !== null) this.name(key);
    this.begin('{');
  }

  closeObject(): void {
    if (this.json) this.end('}');
  }

  openArray(key: string | null = null): void {
    if (!this.json) return;
    if (key !== null) this.name(key);
    this.begin('[');
    if (this.pretty) this.write(' ');
  }

  closeArray(): void {
    if (!this.json) return;
    if (this.pretty && this.sep) this.write(' ');
    this.sep = '';
    this.end(']');
  }

  /** new_json_obj(): the top-level array of a listing. */
  startListing(): void {
    if (this.json) this.openArray();
  }

  /** delete_json_obj(): closes the listing and ends the line. */
  endListing(): void {
    if (!this.json) return;
    this.closeArray();
    this.write('\n');
    this.sep = '';
  }

  /**
   * The byte form of plain text (see TextBytes), with the strings written so far
   * moved into it first. A printer writes bytes only until its next string write.
   */
  bytes(): TextBytes {
    const t = (this.textBytes ??= new TextBytes());
    if (this.parts.length) {
      const s = this.parts.join('');
      this.parts = [];
      this.size = 0;
      t.text(s);
    }
    return t;
  }

  /** Returns and clears the pending output instead of writing it (tests, embedding). */
  take(): string {
    const s = (this.textBytes?.take() ?? '') + this.parts.join('');
    this.parts = [];
    this.size = 0;
    return s;
  }

  /** Hands buffered output to stdout. */
  flush(): void {
    this.textBytes?.flush();
    if (this.parts.length) {
      writeAll(1, this.parts.join(''));
      this.parts = [];
      this.size = 0;
    }
  }

  private write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 65536) this.flush();
  }

  private eol(): void {
    if (this.pretty) this.write('\n' + '    '.repeat(this.jsonDepth));
  }

  private name(key: string): void {
    this.write(this.sep);
    this.sep = ',';
    this.eol();
    this.sep = '';
    this.write(jsonString(key) + (this.pretty ? ': ' : ':'));
  }

  private jsonValue(key: string | null, raw: string): void {
    if (key !== null) this.name(key);
    this.write(this.sep + raw);
    this.sep = ',';
  }

  private begin(c: string): void {
    this.write(this.sep + c);
    this.jsonDepth++;
    this.sep = '';
  }

  private end(c: string): void {
    this.jsonDepth--;
    if (this.sep) this.eol();
    this.write(c);
    this.sep = ',';
  }
}

/** jsonw_puts(): C escapes only, bytes otherwise as they are. */
export function jsonString(s: string): string {
  if (!/["\\\t\n\r\f\b]/.test(s)) return '"' + s + '"';
  return '"' + s.replace(/["\\\t\n\r\f\b]/g, (c) => ({ '"': '\\"', '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\f': '\\f', '\b': '\\b' })[c]!) + '"';
}
