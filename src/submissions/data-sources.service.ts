// Create and update a country's data sources (the registry of concrete sources). Import is in sources-import.ts.
import { findCountry } from '../access/tokens.js';
import { audit, type Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { fromPrismaError, NotFoundError, ValidationError, type Issue } from '../platform/errors.js';
import type { ResidenceCriterion } from '../../prisma/generated/prisma/enums.js';
import { DATA_SOURCE_CODE, snapshot } from './sources.import.js';
import { recordItemChanges } from './changes.js';

export interface DataSourceChanges {
  code?: string | null | undefined;
  sourceType?: string | null | undefined;
  name?: string | null | undefined;
  agency?: string | null | undefined;
  periodicity?: string | null | undefined;
  latestYear?: number | null | undefined;
  residenceCriterion?: ResidenceCriterion | null | undefined;
}

function check(input: DataSourceChanges, issues: Issue[]) {
  if (input.code !== undefined && (input.code === null || !DATA_SOURCE_CODE.test(input.code)))
    issues.push({ path: ['input', 'code'], message: 'must be a code (letters, digits, _ . -)' });
  if (input.name !== undefined && !input.name?.trim())
    issues.push({ path: ['input', 'name'], message: 'must not be empty' });
  if (input.sourceType === null) issues.push({ path: ['input', 'sourceType'], message: 'must not be null' });
  if (input.latestYear != null && !(input.latestYear >= 1800 && input.latestYear <= 2200))
    issues.push({ path: ['input', 'latestYear'], message: 'must be a year' });
}

async function sourceTypeId(prisma: PrismaClient, code: string, issues: Issue[]) {
  const st = await prisma.sourceType.findUnique({ where: { code }, select: { id: true } });
  if (!st) issues.push({ path: ['input', 'sourceType'], message: `no source type with code "${code}"` });
  return st?.id;
}

export async function createDataSource(
  prisma: PrismaClient,
  actor: Actor,
  input: DataSourceChanges & { code: string; country: string; sourceType: string; name: string },
) {
  const issues: Issue[] = [];
  check(input, issues);
  const country = await findCountry(prisma, input.country);
  if (!country)
    issues.push({ path: ['input', 'country'], message: `no country with M49 or ISO3 code "${input.country}"` });
  const typeId = await sourceTypeId(prisma, input.sourceType, issues);
  if (issues.length || !country || typeId === undefined) throw ValidationError.of(issues);
  try {
    return await prisma.$transaction(async (tx) => {
      const created = await tx.dataSource.create({
        data: {
          code: input.code,
          countryId: country.id,
          sourceTypeId: typeId,
          name: input.name.trim(),
          agency: input.agency?.trim() || null,
          periodicity: input.periodicity?.trim() || null,
          latestYear: input.latestYear ?? null,
          residenceCriterion: input.residenceCriterion ?? null,
        },
      });
      await audit(tx, actor, 'dataSource.create', 'DataSource', created.code, null, snapshot(created));
      await recordItemChanges(tx, [{ type: 'DataSource', id: created.id }]);
      return created;
    });
  } catch (err) {
    throw fromPrismaError(err, `Data source "${input.code}"`);
  }
}

export async function updateDataSource(prisma: PrismaClient, actor: Actor, id: number, changes: DataSourceChanges) {
  const issues: Issue[] = [];
  check(changes, issues);
  const typeId = changes.sourceType ? await sourceTypeId(prisma, changes.sourceType, issues) : undefined;
  if (issues.length) throw ValidationError.of(issues);
  try {
    return await prisma.$transaction(async (tx) => {
      const old = await tx.dataSource.findUnique({ where: { id } });
      if (!old) throw new NotFoundError('No such data source');
      const updated = await tx.dataSource.update({
        where: { id },
        data: {
          ...(changes.code != null ? { code: changes.code } : {}),
          ...(typeId !== undefined ? { sourceTypeId: typeId } : {}),
          ...(changes.name != null ? { name: changes.name.trim() } : {}),
          ...(changes.agency !== undefined ? { agency: changes.agency?.trim() || null } : {}),
          ...(changes.periodicity !== undefined ? { periodicity: changes.periodicity?.trim() || null } : {}),
          ...(changes.latestYear !== undefined ? { latestYear: changes.latestYear } : {}),
          ...(changes.residenceCriterion !== undefined ? { residenceCriterion: changes.residenceCriterion } : {}),
        },
      });
      await audit(tx, actor, 'dataSource.update', 'DataSource', updated.code, snapshot(old), snapshot(updated));
      await recordItemChanges(tx, [{ type: 'DataSource', id: updated.id }]);
      return updated;
    });
  } catch (err) {
    throw fromPrismaError(err, `Data source "${changes.code ?? id}"`);
  }
}
