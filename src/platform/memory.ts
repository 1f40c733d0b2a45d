// Keeps a long-running job's memory flat. V8 reclaims its old generation only when that reaches a limit it sets at
// a multiple of what was live after the previous full collection, so a job that holds each batch across a database
// round trip (an import) promotes every batch there and grows by a few hundred bytes per row until that limit:
// 200 MB and more over a large file, all of it garbage. A full collection every so often keeps the heap near what
// is actually live, for tens of milliseconds each time.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readFileSync } from 'node:fs';

let gc: (() => void) | undefined;

/** Runs a full garbage collection (as jest-leak-detector does: exposes `gc` for a moment when it is hidden). */
export function collectGarbage(): void {
  if (!gc) {
    const exposed = typeof globalThis.gc === 'function';
    if (exposed) gc = globalThis.gc as () => void;
    else {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
      setFlagsFromString('--no-expose-gc');
    }
  }
  gc();
}

/** Calls collectGarbage once every `every` units of work counted by `tick` (rows read, rows written…). */
export function garbageEvery(every: number): (units: number) => void {
  let since = 0;
  return (units) => {
    since += units;
    if (since < every) return;
    since = 0;
    collectGarbage();
  };
}

/** Other memory to report alongside the process's: WebAssembly memories (PGlite's), by name, in bytes. */
const probes = new Map<string, () => number>();

/** Registers a memory `traceMemory` reports, e.g. an embedded database's WebAssembly memory. */
export function registerMemoryProbe(name: string, bytes: () => number): void {
  probes.set(name, bytes);
}

const MB = (bytes: number) => Math.round(bytes / 1048576);
let traceStart = 0;
let traceMode: 'on' | 'maps' | undefined;

/** Turns traceMemory on (config MIGSTAT_MEMORY_TRACE): `maps` adds the largest resident mappings. */
export function enableMemoryTrace(mode: 'on' | 'maps' | undefined): void {
  traceMode = mode;
}

/**
 * Once enabled (enableMemoryTrace), one line on stderr: where the process is (`label`) and its memory in MB, as
 * process.memoryUsage() counts it, the registered probes, and the kernel's resident set (current and peak).
 */
export function traceMemory(label: string): void {
  if (!traceMode) return;
  if (!traceStart) {
    traceStart = performance.now();
    // The peak between two lines: sampled every 100 ms (between statements: PGlite runs on this thread).
    setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (rss > (highest?.rss ?? 0)) highest = { rss, line: memoryLine() };
    }, 100).unref();
  }
  const line = memoryLine();
  const since = highest ? ` (highest since: ${highest.line})` : '';
  highest = undefined;
  process.stderr.write(`memory ${label} +${((performance.now() - traceStart) / 1000).toFixed(1)}s: ${line}${since}\n`);
}

let highest: { rss: number; line: string } | undefined;

function memoryLine(): string {
  const m = process.memoryUsage();
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // not Linux: the kernel's figures are left out
  }
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
  const parts = [
    `rss=${MB(m.rss)}`,
    `peak=${Math.round(kb('VmHWM'))}`,
    `anon=${Math.round(kb('RssAnon'))}`,
    `file=${Math.round(kb('RssFile'))}`,
    `heapTotal=${MB(m.heapTotal)}`,
    `heapUsed=${MB(m.heapUsed)}`,
    `external=${MB(m.external)}`,
    `arrayBuffers=${MB(m.arrayBuffers)}`,
    ...[...probes].map(([name, bytes]) => `${name}=${MB(bytes())}`),
  ];
  if (traceMode === 'maps') parts.push(`maps=${largestMappings()}`);
  return parts.join(' ');
}

/** The process's largest resident mappings (/proc/self/smaps): "rss/size MB name" each. */
function largestMappings(): string {
  let smaps: string;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return '?';
  }
  const maps: { rss: number; size: number; name: string }[] = [];
  let current: { rss: number; size: number; name: string } | undefined;
  for (const line of smaps.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) maps.push((current = { rss: 0, size: 0, name: head[1] || 'anon' }));
    else if (current && line.startsWith('Size:')) current.size = Number(line.split(/\s+/)[1]) / 1024;
    else if (current && line.startsWith('Rss:')) current.rss = Number(line.split(/\s+/)[1]) / 1024;
  }
  return maps
    .sort((a, b) => b.rss - a.rss)
    .slice(0, 8)
    .map((m) => `${Math.round(m.rss)}/${Math.round(m.size)}:${m.name.split('/').pop()}`)
    .join(',');
}
