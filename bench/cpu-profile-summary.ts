// Sums up a V8 CPU profile (`node --cpu-prof`): self and inclusive time by package (node_modules/<package>, the
// hub's own files by path, Node's internals by area) and by function. `npx tsx bench/cpu-profile-summary.ts FILE [N]`.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, top = '40'] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/cpu-profile-summary.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfTime = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const t = profile.timeDeltas[i] ?? 0;
  selfTime.set(id, (selfTime.get(id) ?? 0) + t);
  total += t;
});

function moduleOf({ url, functionName }: ProfileNode['callFrame']): string {
  if (!url) return `(${functionName || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(src\/.*)$/.exec(url);
  if (own) return own[1]!;
  if (url.startsWith('node:internal/')) return `node:${url.split('/')[1]}`;
  return url;
}
const functionOf = (f: ProfileNode['callFrame']) => `${f.functionName || '(anonymous)'} ${moduleOf(f)}:${f.lineNumber}`;

const tables = {
  selfModule: new Map(),
  inclusiveModule: new Map(),
  selfFunction: new Map(),
  inclusiveFunction: new Map(),
};
const add = (m: Map<string, number>, k: string, t: number) => m.set(k, (m.get(k) ?? 0) + t);
for (const [id, t] of selfTime) {
  const frame = byId.get(id)!.callFrame;
  add(tables.selfModule, moduleOf(frame), t);
  add(tables.selfFunction, functionOf(frame), t);
  const modules = new Set<string>();
  const functions = new Set<string>();
  for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
    const f = byId.get(x)!.callFrame;
    modules.add(moduleOf(f));
    functions.add(functionOf(f));
  }
  for (const m of modules) add(tables.inclusiveModule, m, t);
  for (const f of functions) add(tables.inclusiveFunction, f, t);
}
console.log(`${(total / 1e6).toFixed(1)} s sampled`);
for (const [title, table] of Object.entries(tables) as [string, Map<string, number>][]) {
  console.log(`\n${title}`);
  for (const [key, t] of [...table].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}
