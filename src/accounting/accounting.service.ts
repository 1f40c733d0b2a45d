// Population accounting (CONTRACT §4): one country, one year, the four TF2 groups. The entries come from one
// query; the balance is arithmetic over at most 32 numbers, kept as a pure function so the rules are testable alone.
import type { AccountComponent, PopulationGroup } from '../../prisma/generated/prisma/enums.js';
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { PrismaClient } from '../platform/db.js';
import { ACCOUNT_COMPONENTS, componentRule, POPULATION_GROUPS } from './accounts.import.js';
import { audit, type Actor } from '../access/audit.js';
import { ACCOUNT_STATUSES_AWAITING_PUBLICATION, accountEntryView, type Visibility } from '../submissions/visibility.js';

export const DEFAULT_TOLERANCE = 0.001;

const isForeigners = (group: PopulationGroup) => group.endsWith('_FOREIGNERS');

/** Citizenship changes move people between the two groups of the same birthplace. */
export function partnerOf(group: PopulationGroup): PopulationGroup {
  const partners: Record<PopulationGroup, PopulationGroup> = {
    NATIVE_BORN_CITIZENS: 'NATIVE_BORN_FOREIGNERS',
    NATIVE_BORN_FOREIGNERS: 'NATIVE_BORN_CITIZENS',
    FOREIGN_BORN_CITIZENS: 'FOREIGN_BORN_FOREIGNERS',
    FOREIGN_BORN_FOREIGNERS: 'FOREIGN_BORN_CITIZENS',
  };
  return partners[group];
}

/** Whether a component may be recorded on a group (the importer's rule, CONTRACT §4). */
export function componentAppliesTo(component: AccountComponent, group: PopulationGroup): boolean {
  return componentRule(group, component) === null;
}

export interface AccountGroupResult {
  /** Null on the total. */
  group: PopulationGroup | null;
  opening: number | null;
  births: number;
  deaths: number;
  immigration: number;
  emigration: number;
  citizenshipAcquired: number;
  citizenshipLost: number;
  closing: number | null;
  /** Null when the opening stock is missing. */
  expectedClosing: number | null;
  /** closing − expectedClosing; null when either stock is missing. */
  residual: number | null;
  coherent: boolean;
  /** The group's CLOSING_STOCK in the year before, as the caller reads it; null when there is none. */
  previousClosing: number | null;
  /** opening − previousClosing: 0 when the year's account starts where the year before ended; null when unknown. */
  openingGap: number | null;
}

/** An account as a caller reads it: how many of its entries it reads at a value not yet published, besides. */
export type PopulationAccountView = PopulationAccountResult & { pendingEntries: number };

export interface PopulationAccountResult {
  countryId: number;
  year: number;
  coherent: boolean;
  groups: AccountGroupResult[];
  total: AccountGroupResult;
  /** Missing components that apply to their group, as "GROUP:COMPONENT", in group then component order. */
  missing: string[];
  /**
   * Whether every group opens where it closed the year before (|openingGap| within the coherence tolerance): stocks
   * and flows coherent across years (TF2), not only within one. Null when a gap is unknown (a stock missing, or no
   * account for the year before).
   */
  continuous: boolean | null;
}

export interface AccountEntryInput {
  group: PopulationGroup;
  component: AccountComponent;
  value: number;
}

/** |residual| ≤ max(1, tolerance × closing); a null residual is never coherent. */
function isCoherent(residual: number | null, closing: number | null, tolerance: number): boolean {
  if (residual === null || closing === null) return false;
  return Math.abs(residual) <= Math.max(1, tolerance * Math.abs(closing));
}

/** Balances one country's account for one year from its entries. */
export function balanceAccount(
  countryId: number,
  year: number,
  entries: readonly AccountEntryInput[],
  tolerance: number = DEFAULT_TOLERANCE,
  previousClosing: ReadonlyMap<PopulationGroup, number> = new Map(),
): PopulationAccountResult {
  const values = new Map<string, number>();
  for (const e of entries) values.set(`${e.group}:${e.component}`, e.value);
  const get = (group: PopulationGroup, component: AccountComponent) => values.get(`${group}:${component}`);
  const flow = (group: PopulationGroup, component: AccountComponent) => get(group, component) ?? 0;

  const missing: string[] = [];
  for (const group of POPULATION_GROUPS) {
    for (const component of ACCOUNT_COMPONENTS) {
      if (componentAppliesTo(component, group) && get(group, component) === undefined) {
        missing.push(`${group}:${component}`);
      }
    }
  }

  const groups = POPULATION_GROUPS.map((group): AccountGroupResult => {
    const foreigners = isForeigners(group);
    const partner = partnerOf(group);
    // Naturalisations leave the foreigner group F for its citizen partner C; losses of citizenship go the other way.
    const naturalised = foreigners ? flow(group, 'CITIZENSHIP_ACQUIRED') : flow(partner, 'CITIZENSHIP_ACQUIRED');
    const lost = foreigners ? flow(partner, 'CITIZENSHIP_LOST') : flow(group, 'CITIZENSHIP_LOST');
    const citizenshipNet = foreigners ? lost - naturalised : naturalised - lost;
    const opening = get(group, 'OPENING_STOCK') ?? null;
    const closing = get(group, 'CLOSING_STOCK') ?? null;
    const births = flow(group, 'BIRTHS');
    const deaths = flow(group, 'DEATHS');
    const immigration = flow(group, 'IMMIGRATION');
    const emigration = flow(group, 'EMIGRATION');
    const expectedClosing =
      opening === null ? null : opening + births + immigration - deaths - emigration + citizenshipNet;
    const residual = closing === null || expectedClosing === null ? null : closing - expectedClosing;
    const before = previousClosing.get(group) ?? null;
    return {
      group,
      opening,
      births,
      deaths,
      immigration,
      emigration,
      citizenshipAcquired: flow(group, 'CITIZENSHIP_ACQUIRED'),
      citizenshipLost: flow(group, 'CITIZENSHIP_LOST'),
      closing,
      expectedClosing,
      residual,
      coherent: isCoherent(residual, closing, tolerance),
      previousClosing: before,
      openingGap: opening === null || before === null ? null : opening - before,
    };
  });

  const sum = (pick: (g: AccountGroupResult) => number) => groups.reduce((acc, g) => acc + pick(g), 0);
  const sumOrNull = (pick: (g: AccountGroupResult) => number | null) =>
    groups.some((g) => pick(g) === null) ? null : groups.reduce((acc, g) => acc + pick(g)!, 0);
  const opening = sumOrNull((g) => g.opening);
  const closing = sumOrNull((g) => g.closing);
  // Citizenship moves cancel out over the four groups, so the total's expectation has no citizenship term.
  const expectedClosing = sumOrNull((g) => g.expectedClosing);
  const residual = closing === null || expectedClosing === null ? null : closing - expectedClosing;
  const previous = sumOrNull((g) => g.previousClosing);
  const total: AccountGroupResult = {
    group: null,
    opening,
    births: sum((g) => g.births),
    deaths: sum((g) => g.deaths),
    immigration: sum((g) => g.immigration),
    emigration: sum((g) => g.emigration),
    citizenshipAcquired: sum((g) => g.citizenshipAcquired),
    citizenshipLost: sum((g) => g.citizenshipLost),
    closing,
    expectedClosing,
    residual,
    coherent: isCoherent(residual, closing, tolerance),
    previousClosing: previous,
    openingGap: opening === null || previous === null ? null : opening - previous,
  };
  const continuous = groups.some((g) => g.openingGap === null)
    ? null
    : groups.every((g) => isCoherent(g.openingGap, g.opening, tolerance));
  return { countryId, year, coherent: groups.every((g) => g.coherent), groups, total, missing, continuous };
}

/**
 * The account of a country and year over the entries the caller may read (CONTRACT §7: accounts follow the
 * visible-versions rule), or null when there are none.
 */
export async function populationAccount(
  prisma: Pick<PrismaClient, 'accountEntry'>,
  vis: Visibility,
  countryId: number,
  year: number,
  tolerance: number = DEFAULT_TOLERANCE,
): Promise<PopulationAccountView | null> {
  const view = accountEntryView(vis, countryId);
  // The year's entries, and the closing stocks of the year before (where this year's should open).
  const read = await prisma.accountEntry.findMany({
    where: { countryId, OR: [{ year }, { year: year - 1, component: 'CLOSING_STOCK' }], ...view.where },
    select: { year: true, group: true, component: true, value: true, publishedValue: true, status: true },
  });
  const rows = read.filter((e) => e.year === year);
  const entries = rows.map((e) => ({ group: e.group, component: e.component, value: view.value(e)! }));
  if (!entries.length) return null;
  const previous = new Map(read.filter((e) => e.year !== year).map((e) => [e.group, view.value(e)!]));
  return {
    ...balanceAccount(countryId, year, entries, tolerance, previous),
    pendingEntries: rows.filter(view.pending).length,
  };
}

/**
 * Publishes a country's account for a year: every entry not yet PUBLISHED becomes PUBLISHED, in one transaction
 * with one audit row. Returns how many entries changed (0 when already published) and how many the account has.
 */
export async function publishAccount(
  prisma: PrismaClient,
  actor: Actor,
  country: { id: number; label: string },
  year: number,
): Promise<{ published: number; entries: number; drafts: number }> {
  return prisma.$transaction(async (tx) => {
    // The published value is the entry's value from now on (a column copied to another: no updateMany form). DRAFT
    // entries are the country's, not sent for review: they stay as they are.
    const count = await tx.$executeRaw`
      UPDATE "AccountEntry" SET status = 'PUBLISHED', "publishedValue" = value, "updatedAt" = now()
      WHERE "countryId" = ${country.id} AND year = ${year}
        AND status::text IN (${Prisma.join(ACCOUNT_STATUSES_AWAITING_PUBLICATION)})`;
    const byStatus = await tx.accountEntry.groupBy({
      by: ['status'],
      where: { countryId: country.id, year },
      _count: { _all: true },
    });
    const entries = byStatus.reduce((sum, g) => sum + g._count._all, 0);
    const drafts = byStatus.find((g) => g.status === 'DRAFT')?._count._all ?? 0;
    if (count) {
      await audit(tx, actor, 'populationAccount.publish', 'PopulationAccount', `${country.label}/${year}`, null, {
        published: count,
      });
    }
    return { published: count, entries, drafts };
  });
}
