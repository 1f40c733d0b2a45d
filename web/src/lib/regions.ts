// The M49 region tree (30 areas, fixed): loaded once per page load and shared by every region picker.
import { useEffect, useState } from 'preact/hooks';
import { graphql } from '../gql';
import { request } from './client';

const RegionTree = graphql(`
  query RegionTree {
    regions {
      code
      name
      level
      parent {
        code
      }
    }
  }
`);

export interface RegionNode {
  code: string;
  name: string;
  level: string;
  parent: string | null;
  depth: number;
}

let cached: Promise<RegionNode[]> | undefined;

/** Regions in tree order (each followed by its children, by name), with their depth below the world. */
export function loadRegions(): Promise<RegionNode[]> {
  cached ??= request(RegionTree, {}).then(({ regions }) => {
    const children = new Map<string | null, typeof regions>();
    for (const r of regions) {
      const p = r.parent?.code ?? null;
      children.set(p, [...(children.get(p) ?? []), r]);
    }
    const out: RegionNode[] = [];
    const walk = (parent: string | null, depth: number) => {
      for (const r of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
        out.push({ code: r.code, name: r.name, level: r.level, parent, depth });
        walk(r.code, depth + 1);
      }
    };
    walk(null, 0);
    return out;
  });
  cached.catch(() => (cached = undefined));
  return cached;
}

export function useRegions(): RegionNode[] {
  const [regions, setRegions] = useState<RegionNode[]>([]);
  useEffect(() => {
    let live = true;
    loadRegions().then(
      (r) => live && setRegions(r),
      () => undefined,
    );
    return () => void (live = false);
  }, []);
  return regions;
}
