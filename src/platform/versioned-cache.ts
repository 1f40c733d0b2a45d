// Answers kept per process under the data version they were computed after (data-version.ts): served again only to a
// request that read the same version first, so a committed write, made by any process, is never answered from an
// entry made before it. Entries of older versions can never be served again and are dropped when a newer one is seen.
import { LRUCache } from 'lru-cache';

export class VersionedCache<V extends object> {
  private latest = -1n;
  private readonly lru: LRUCache<string, V>;

  /** At most `maxBytes` of entries, as weighed by `set`; least recently used entries go first. */
  constructor(private readonly maxBytes: number) {
    this.lru = new LRUCache<string, V>({ maxSize: maxBytes });
  }

  /** What was kept for `key` under `version`; call with the version read before any data statement. */
  get(version: bigint, key: string): V | undefined {
    if (version > this.latest) {
      this.latest = version;
      this.lru.clear();
    }
    return this.lru.get(`${version}\n${key}`);
  }

  /** Keeps `value`, weighing `bytes`, unless a newer version has been seen since `version` was read (it could never be served). */
  set(version: bigint, key: string, value: V, bytes: number): void {
    if (version !== this.latest || bytes > this.maxBytes) return;
    this.lru.set(`${version}\n${key}`, value, { size: bytes });
  }
}
