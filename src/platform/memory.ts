// Keeps a long-running job's memory flat. V8 reclaims its old generation only when that reaches a limit it sets at
// a multiple of what was live after the previous full collection, so a job that holds each batch across a database
// round trip (an import) promotes every batch there and grows by a few hundred bytes per row until that limit:
// 200 MB and more over a large file, all of it garbage. A full collection every so often keeps the heap near what
// is actually live, for tens of milliseconds each time.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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
