// The front's dispatcher: one command through the object registry, or a
// batch, with the exit-code rules of ip.c.
import { readFileSync } from 'node:fs';
import { progName } from '../lib/progname.js';
import type { Context } from './context.js';
import { Exit } from './matches.js';
import { ipOptionWords } from './options.js';
import { objectNamed, resolveObject } from './registry.js';

/**
 * do_cmd(): runs one command; returns its exit status (a promise only when the
 * command is asynchronous or its code loads). Exit exceptions pass through.
 */
export function runCommand(ctx: Context, words: string[]): number | Promise<number> {
  const name = resolveObject(words[0]);
  if (name === undefined) {
    ctx.err(`Object "${words[0]}" is unknown, try "${progName()} help".`);
    return 1;
  }
  const obj = objectNamed(name);
  if (!obj) return handOver(ctx, name, words);
  return obj.run(ctx, words.slice(1));
}

/**
 * An object tsnet does not implement: on the kernel the system's ip runs the
 * command (words as typed, with the global options ip takes), its output and
 * status passed through; the model has nothing to run it on.
 */
async function handOver(ctx: Context, name: string, words: string[]): Promise<number> {
  if (ctx.opts.dryRun) {
    ctx.err(`Object "${name}" is not modelled by tsnet --dry-run.`);
    return 1;
  }
  ctx.out.flush();
  const r = await ctx.handOver(ipOptionWords(ctx.opts), words, ctx.inBatch);
  if (r?.ended && ctx.inBatch) throw new Exit(r.status, []);
  if (r !== undefined) return r.status;
  ctx.err(`Object "${name}" is not implemented by tsnet, and there is no system ip on PATH to run it.`);
  return 1;
}

/**
 * getcmdline() + makeargs(): `#` starts a comment, a trailing backslash joins
 * the next line, quotes group words. Yields [line number, words].
 */
export function* batchLines(text: string, onError: (line: string) => void): Generator<[number, string[]]> {
  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  if (complete) lines.pop();
  // A line "continues" when it ends in backslash-newline and no comment cut it.
  const continues = (i: number) => !lines[i].includes('#') && lines[i].endsWith('\\') && (i < lines.length - 1 || complete);
  let lineNo = 0;
  for (let i = 0; i < lines.length; i++) {
    lineNo++;
    let line = stripComment(lines[i]);
    let cont = continues(i);
    while (cont) {
      if (i + 1 >= lines.length) {
        onError('Missing continuation line');
        return;
      }
      i++;
      lineNo++;
      line = line.slice(0, -1) + stripComment(lines[i]);
      cont = continues(i);
    }
    const words = makeArgs(line);
    if (words.length) yield [lineNo, words];
  }
}

function stripComment(line: string): string {
  const h = line.indexOf('#');
  return h >= 0 ? line.slice(0, h) : line;
}

export function makeArgs(line: string): string[] {
  if (!line.includes('"') && !line.includes("'")) {
    // Words one space apart (what a generated batch holds): a split on a string, which
    // JavaScriptCore does natively (its split on a RegExp runs a loop in JavaScript).
    if (line !== '' && line[0] !== ' ' && line[line.length - 1] !== ' ' && !line.includes('  ') && !/[\t\r\n]/.test(line)) {
      return line.split(' ');
    }
    const words = line.split(/[ \t\r\n]+/);
    if (words.length && words[0] === '') words.shift();
    if (words.length && words[words.length - 1] === '') words.pop();
    return words;
  }
  const out: string[] = [];
  let i = 0;
  const ws = ' \t\r\n';
  while (i < line.length) {
    while (i < line.length && ws.includes(line[i])) i++;
    if (i >= line.length) break;
    if (line[i] === '"' || line[i] === "'") {
      const q = line[i++];
      const end = line.indexOf(q, i);
      if (end < 0) throw new Exit(1, ['Unterminated quoted string']);
      out.push(line.slice(i, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < line.length && !ws.includes(line[j])) j++;
      out.push(line.slice(i, j));
      i = j + 1;
    }
  }
  return out;
}

/** ip -batch: runs each line, `Command failed FILE:LINE` on failure, stops unless -force. */
export async function runBatch(ctx: Context, name: string): Promise<number> {
  let text: string;
  try {
    text = readFileSync(name === '-' ? 0 : name, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const { strerror } = await import('../errno.js');
    ctx.err(`Cannot open file "${name}" for reading: ${strerror(-(err.errno ?? -2))}`);
    return 1;
  }
  let ret = 0;
  ctx.inBatch = true;
  // Nothing is reset per line: ip 6.1 keeps what a line set (`link show` sets do_link, see addr.ts).
  for (const [lineNo, words] of batchLines(text, (l) => ctx.err(l))) {
    const r = runCommand(ctx, words);
    const rc = typeof r === 'number' ? r : await r;
    ctx.out.flush();
    if (rc) {
      ctx.err(`Command failed ${name}:${lineNo}`);
      ret = 1;
      if (!ctx.opts.force) break;
    }
  }
  return ret;
}
