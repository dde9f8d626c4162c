// Finding 11 of the HTTP review: upload.ts and multipart.ts imported each other, and the filename fix reached into
// busboy's private `_hparser`. The source's relative imports must form no cycle, and no private field of a
// dependency is touched. busboy is now only a devDependency (the multipart parser's differential test): the
// published code must not import it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** Relative imports of each module (type-only ones included: a cycle of types is still a tangle). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'/g)].map((m) =>
      path.resolve(path.dirname(file), (m[1] as string).replace(/\.js$/, '.ts')),
    );
    graph.set(file, targets);
  }
  return graph;
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('module graph', () => {
  it('the import graph has every module and no cycle', () => {
    const graph = importGraph();
    expect(graph.get(path.join(src, 'upload.ts'))).toEqual(
      expect.arrayContaining([path.join(src, 'upload-multipart.ts'), path.join(src, 'upload-raw.ts')]),
    );
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => path.relative(src, f))).toBeUndefined();
  });

  it('the cycle check catches a cycle', () => {
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a']);
  });

  it("no module imports busboy or touches a parser's private fields", () => {
    for (const file of sources(src)) {
      const text = readFileSync(file, 'utf8');
      expect(text, path.relative(src, file)).not.toMatch(/\._(hparser|parser|fileStream)\b/);
      expect(text, path.relative(src, file)).not.toMatch(/from\s+'busboy'/);
    }
  });
});
