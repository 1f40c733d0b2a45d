// The seed: the project's copy of the shared catalogue and M49 list, loaded through the regular import path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { dataDir } from '../platform/paths.js';
import { importCatalogue, parseCatalogue } from '../catalogue/catalogue.import.js';
import { importCountries, parseCountries } from '../geography/countries.import.js';

export async function seed(prisma: PrismaClient, actor: Actor) {
  const countries = await importCountries(
    prisma,
    await parseCountries({ file: join(dataDir, 'countries.csv') }),
    actor,
  );
  const catalogue = await importCatalogue(
    prisma,
    parseCatalogue(readFileSync(join(dataDir, 'catalogue.json'), 'utf8')),
    actor,
  );
  return { ...countries, ...catalogue };
}

/** True when the database holds no catalogue yet (first start). */
export async function isEmpty(prisma: PrismaClient): Promise<boolean> {
  const [indicators, countries] = await Promise.all([prisma.indicator.count(), prisma.country.count()]);
  return indicators === 0 && countries === 0;
}
