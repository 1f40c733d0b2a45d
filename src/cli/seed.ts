// The seed: the project's copy of the shared catalogue and M49 list, loaded through the regular import path. It only
// adds what the hub lacks: an item it holds is left as it is (counted `unchanged`), whatever curation or a deliberate
// `migstat import` made of it, so running the seed again never reverts anything.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { dataDir } from '../platform/paths.js';
import { importCatalogue, parseCatalogue } from '../catalogue/catalogue.import.js';
import { importCountries, parseCountries, type CountriesFile } from '../geography/countries.import.js';

export async function seed(prisma: PrismaClient, actor: Actor) {
  const countries = await addMissingCountries(
    prisma,
    await parseCountries({ file: join(dataDir, 'countries.csv') }),
    actor,
  );
  const catalogue = await importCatalogue(
    prisma,
    parseCatalogue(readFileSync(join(dataDir, 'catalogue.json'), 'utf8')),
    actor,
    { mode: 'addMissing' },
  );
  return { ...countries, ...catalogue };
}

/**
 * Imports the regions and countries of the M49 list that the hub does not hold (by code), leaving the others as they
 * are. Their parents and regions are either held already or created first, as importCountries orders them.
 */
async function addMissingCountries(prisma: PrismaClient, file: CountriesFile, actor: Actor) {
  const [regions, countries] = await Promise.all([
    prisma.region.findMany({ select: { code: true } }),
    prisma.country.findMany({ select: { m49: true } }),
  ]);
  const heldRegions = new Set(regions.map((r) => r.code));
  const heldCountries = new Set(countries.map((c) => c.m49));
  const missing: CountriesFile = {
    regions: file.regions.filter((r) => !heldRegions.has(r.code)),
    countries: file.countries.filter((c) => !heldCountries.has(c.m49)),
  };
  const report = await importCountries(prisma, missing, actor);
  report.Region.unchanged += file.regions.length - missing.regions.length;
  report.Country.unchanged += file.countries.length - missing.countries.length;
  return report;
}

/**
 * True when the database lacks the M49 list or the catalogue: a first start, or one stopped between the seed's two
 * transactions (the countries committed, the catalogue not), which the seed, adding only what is missing, completes.
 */
export async function needsSeed(prisma: PrismaClient): Promise<boolean> {
  const [indicators, countries] = await Promise.all([prisma.indicator.count(), prisma.country.count()]);
  return indicators === 0 || countries === 0;
}
