// Imports the UN M49 country list (CONTRACT §5, the layout of data/countries.csv, as CSV or XLSX): countries and areas, the region
// hierarchy above them and the membership closure used for "region at any depth" filters. Idempotent and
// all-or-nothing, like the catalogue import.
import { audit, type Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { ValidationError, type Issue } from '../platform/errors.js';
import { openTable, problemIssue, type TableOptions, type TableSource } from '../platform/tabular.js';
import type { ImportCounts } from '../catalogue/catalogue.import.js';
import { recordItemChanges, type ItemRef } from '../submissions/changes.js';
import { foldName } from './m49.js';

const COLUMNS = {
  globalCode: 'Global Code',
  globalName: 'Global Name',
  regionCode: 'Region Code',
  regionName: 'Region Name',
  subRegionCode: 'Sub-region Code',
  subRegionName: 'Sub-region Name',
  intermediateCode: 'Intermediate Region Code',
  intermediateName: 'Intermediate Region Name',
  name: 'Country or Area',
  m49: 'M49 Code',
  iso2: 'ISO-alpha2 Code',
  iso3: 'ISO-alpha3 Code',
  ldc: 'Least Developed Countries (LDC)',
  lldc: 'Land Locked Developing Countries (LLDC)',
  sids: 'Small Island Developing States (SIDS)',
} as const;

type Level = 'WORLD' | 'REGION' | 'SUB_REGION' | 'INTERMEDIATE_REGION';

interface RegionRow {
  code: string;
  name: string;
  level: Level;
  parent: string | null;
}

interface CountryRow {
  m49: string;
  iso2: string | null;
  iso3: string | null;
  name: string;
  regionCode: string | null;
  subRegionCode: string | null;
  intermediateRegionCode: string | null;
  ldc: boolean;
  lldc: boolean;
  sids: boolean;
  /** Every region containing the country, outermost first. */
  regions: string[];
}

export interface CountriesFile {
  regions: RegionRow[];
  countries: CountryRow[];
}

/**
 * Reads and checks the M49 list through the import kernel (CSV with comma or semicolon, or an XLSX workbook):
 * every bad cell is reported by line and column (and sheet and cell in a workbook) before anything is written.
 */
export async function parseCountries(source: TableSource, options?: TableOptions): Promise<CountriesFile> {
  // Further columns (the UN file's "Developed / Developing Countries") are ignored, as they always were.
  const table = await openTable(
    source,
    { required: Object.values(COLUMNS), extra: { accepts: () => true, description: 'ignored' } },
    options,
  );
  const regions = new Map<string, RegionRow>();
  const countries: CountryRow[] = [];
  const seenM49 = new Map<string, number>();
  const seenIso3 = new Map<string, number>();
  for await (const record of table.records()) {
    const line = record.line;
    const cell = (key: keyof typeof COLUMNS) => (record.cells[COLUMNS[key]] ?? '').trim();
    const fail = (key: keyof typeof COLUMNS, message: string) => table.report(line, COLUMNS[key], message);
    const m49 = cell('m49');
    if (!/^\d{3}$/.test(m49)) fail('m49', `"${m49}" is not a three-digit M49 code`);
    else if (seenM49.has(m49)) fail('m49', `duplicate of line ${seenM49.get(m49)}`);
    else seenM49.set(m49, line);
    const iso3 = cell('iso3');
    if (iso3 && !/^[A-Z]{3}$/.test(iso3)) fail('iso3', `"${iso3}" is not an ISO alpha-3 code`);
    else if (iso3 && seenIso3.has(iso3)) fail('iso3', `duplicate of line ${seenIso3.get(iso3)}`);
    else if (iso3) seenIso3.set(iso3, line);
    const iso2 = cell('iso2');
    if (iso2 && !/^[A-Z]{2}$/.test(iso2)) fail('iso2', `"${iso2}" is not an ISO alpha-2 code`);
    if (!cell('name')) fail('name', 'must not be empty');
    for (const flag of ['ldc', 'lldc', 'sids'] as const) {
      if (!['', 'x', 'X'].includes(cell(flag))) fail(flag, `"${cell(flag)}" must be empty or x`);
    }
    const chain: string[] = [];
    const levels: [keyof typeof COLUMNS, keyof typeof COLUMNS, Level][] = [
      ['globalCode', 'globalName', 'WORLD'],
      ['regionCode', 'regionName', 'REGION'],
      ['subRegionCode', 'subRegionName', 'SUB_REGION'],
      ['intermediateCode', 'intermediateName', 'INTERMEDIATE_REGION'],
    ];
    for (const [codeKey, nameKey, level] of levels) {
      const code = cell(codeKey);
      if (!code) continue;
      if (!/^\d{3}$/.test(code)) {
        fail(codeKey, `"${code}" is not a three-digit M49 code`);
        continue;
      }
      const parent = chain.at(-1) ?? null;
      const known = regions.get(code);
      if (known && (known.parent !== parent || known.level !== level)) {
        fail(codeKey, `region ${code} is placed differently than on an earlier line`);
      } else if (!known) {
        regions.set(code, { code, name: cell(nameKey) || code, level, parent });
      }
      chain.push(code);
    }
    countries.push({
      m49,
      iso2: iso2 || null,
      iso3: iso3 || null,
      name: cell('name'),
      regionCode: cell('regionCode') || null,
      subRegionCode: cell('subRegionCode') || null,
      intermediateRegionCode: cell('intermediateCode') || null,
      ldc: cell('ldc') !== '',
      lldc: cell('lldc') !== '',
      sids: cell('sids') !== '',
      regions: chain,
    });
  }
  const issues: Issue[] = table.problems().map(problemIssue);
  for (const m49 of seenM49.keys()) {
    if (regions.has(m49))
      issues.push({ path: ['(file)', COLUMNS.m49], message: `${m49} is both a region and a country` });
  }
  if (issues.length) throw ValidationError.of(issues);
  return { regions: [...regions.values()], countries };
}

export async function importCountries(
  prisma: PrismaClient,
  file: CountriesFile,
  actor: Actor,
): Promise<Record<'Region' | 'Country', ImportCounts>> {
  return prisma.$transaction(async (tx) => {
    const report = { Region: zero(), Country: zero() };
    const changed: ItemRef[] = [];
    const regionIds = new Map((await tx.region.findMany()).map((r) => [r.code, r]));
    // Parents come before children in the file order built by parseCountries.
    for (const r of file.regions) {
      const data = { name: r.name, level: r.level, parentId: r.parent ? regionIds.get(r.parent)!.id : null };
      const existing = regionIds.get(r.code);
      if (!existing) {
        regionIds.set(r.code, await tx.region.create({ data: { code: r.code, ...data } }));
        changed.push({ type: 'Region', id: regionIds.get(r.code)!.id });
        await audit(tx, actor, 'region.create', 'Region', r.code, null, data);
        report.Region.created++;
      } else if (existing.name !== data.name || existing.level !== data.level || existing.parentId !== data.parentId) {
        regionIds.set(r.code, await tx.region.update({ where: { code: r.code }, data }));
        changed.push({ type: 'Region', id: existing.id });
        await audit(
          tx,
          actor,
          'region.update',
          'Region',
          r.code,
          { name: existing.name, level: existing.level, parentId: existing.parentId },
          data,
        );
        report.Region.updated++;
      } else report.Region.unchanged++;
    }

    const existing = new Map(
      (await tx.country.findMany({ include: { regions: { select: { regionId: true } } } })).map((c) => [c.m49, c]),
    );
    for (const c of file.countries) {
      const { regions, m49, ...data } = c;
      const regionIdList = regions.map((code) => regionIds.get(code)!.id).sort((a, b) => a - b);
      const current = existing.get(m49);
      if (!current) {
        const created = await tx.country.create({
          data: {
            m49,
            ...data,
            sortName: foldName(data.name),
            regions: { create: regionIdList.map((regionId) => ({ regionId })) },
          },
        });
        changed.push({ type: 'Country', id: created.id });
        await audit(tx, actor, 'country.create', 'Country', m49, null, c);
        report.Country.created++;
        continue;
      }
      const before = {
        iso2: current.iso2,
        iso3: current.iso3,
        name: current.name,
        regionCode: current.regionCode,
        subRegionCode: current.subRegionCode,
        intermediateRegionCode: current.intermediateRegionCode,
        ldc: current.ldc,
        lldc: current.lldc,
        sids: current.sids,
      };
      const currentRegions = current.regions.map((r) => r.regionId).sort((a, b) => a - b);
      if (
        JSON.stringify(before) === JSON.stringify(data) &&
        JSON.stringify(currentRegions) === JSON.stringify(regionIdList)
      ) {
        report.Country.unchanged++;
        continue;
      }
      await tx.regionMembership.deleteMany({ where: { countryId: current.id } });
      await tx.country.update({
        where: { m49 },
        data: {
          ...data,
          sortName: foldName(data.name),
          regions: { create: regionIdList.map((regionId) => ({ regionId })) },
        },
      });
      await audit(tx, actor, 'country.update', 'Country', m49, before, data);
      changed.push({ type: 'Country', id: current.id });
      report.Country.updated++;
    }
    await recordItemChanges(tx, changed);
    return report;
  });
}

function zero(): ImportCounts {
  return { created: 0, updated: 0, unchanged: 0 };
}
