// The layers hold: no import cycle among the modules of src/ and commands/.
// Counted are the imports that run when a module loads (static imports of
// values and re-exports); `import type` is erased at build, and a dynamic
// import() is a deliberate load-on-use edge (the object registry's runners).
// The layer rules themselves (who may import whom) are ESLint's
// no-restricted-imports in eslint.config.mjs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The modules of ours a file loads when it loads (relative specifiers, .js written for .ts). */
export function runtimeImports(file: string, text: string): string[] {
  const out: string[] = [];
  const re = /^(import|export)\s+(type\s+)?([^;]*?)\s*from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const spec = m[4] ?? m[5];
    if (m[2]) continue;
    // import { type A, type B } is erased too.
    const braces = /^\{([^}]*)\}$/.exec((m[3] ?? '').trim());
    if (braces && braces[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) continue;
    out.push(normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))));
  }
  return out;
}

/** Tarjan's strongly connected components with more than one module (or a self-import): the cycles. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)!.includes(v)) found.push(scc.map((f) => relative(ROOT, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

describe('import graph', () => {
  it('finds a cycle when there is one (so the test below can fail)', () => {
    const g = new Map([['/a.ts', ['/b.ts']], ['/b.ts', ['/a.ts']], ['/c.ts', ['/a.ts']]]);
    expect(cycles(g)).toEqual([[relative(ROOT, '/a.ts'), relative(ROOT, '/b.ts')]]);
    expect(runtimeImports('/x/y.ts', "import type { A } from './a.js';\nimport { type B } from './b.js';\nimport { C } from './c.js';"))
      .toEqual(['/x/c.ts']);
  });

  it('has no import cycle in src/ and commands/', () => {
    const graph = new Map<string, string[]>();
    for (const f of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'commands'))]) {
      graph.set(f, runtimeImports(f, readFileSync(f, 'utf8')));
    }
    expect(cycles(graph)).toEqual([]);
  });

  it('loads for `tsnet neigh show` on the kernel only what that uses', () => {
    // What loads with the entry, plus the neigh code the registry loads on use and the kernel backend.
    const seen = new Set<string>();
    const todo = ['src/entry.ts', 'src/ip/neigh.ts', 'src/kernel/backend.ts'].map((f) => join(ROOT, f));
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      todo.push(...runtimeImports(f, readFileSync(f, 'utf8')));
    }
    const loaded = [...seen].map((f) => relative(ROOT, f));
    const unused = /^src\/(sim\/|ip\/(addr|link|bond|monitor|arping|sim|complete)|arping\/arping)/;
    expect(loaded.filter((f) => unused.test(f))).toEqual([]);
  });
});
