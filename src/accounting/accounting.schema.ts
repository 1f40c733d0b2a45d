// Population accounting (CONTRACT §4): the balance of the four TF2 groups of one country and year, over the entries
// the caller may read (§7: PUBLISHED ones, and a FOCAL_POINT's own country's besides), and how an account is published.
import { actorOf } from '../access/audit.js';
import { countryKey } from '../geography/m49.js';
import { visibilityOf } from '../submissions/visibility.js';
import { GraphQLError } from 'graphql';
import type { Context } from '../platform/context.js';
import * as accounting from './accounting.service.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { builder } from '../schema/builder.js';
import { requireCode } from '../schema/codes.js';
import { countryDataImportScopes, fileFields, tableOf } from '../schema/upload.js';
import { ImportProblemRef } from '../submissions/submission.schema.js';
import type { ImportProblem } from '../submissions/submissions.import.js';
import { importAccountsFile } from './accounts.import.js';
import { Country, countryTarget } from '../geography/country.schema.js';
import { targetDescriptions, targetId } from '../schema/target.js';
import { AccountComponent, PopulationGroup } from '../schema/enums.js';

const AccountGroup = builder.objectRef<accounting.AccountGroupResult>('AccountGroup').implement({
  description:
    'One population group over one year: stocks, flows, and the closing stock the flows predict. Flows recorded ' +
    'on the group; a missing flow counts as 0.',
  fields: (t) => ({
    group: t.field({
      type: PopulationGroup,
      nullable: true,
      description: 'Null on the total.',
      resolve: (g) => g.group,
    }),
    opening: t.float({ nullable: true, description: 'OPENING_STOCK; null when missing.', resolve: (g) => g.opening }),
    births: t.exposeFloat('births', {
      description: 'BIRTHS (native-born groups only; 0 on the others or when missing).',
    }),
    deaths: t.exposeFloat('deaths', { description: 'DEATHS; 0 when missing.' }),
    immigration: t.exposeFloat('immigration', { description: 'IMMIGRATION; 0 when missing.' }),
    emigration: t.exposeFloat('emigration', { description: 'EMIGRATION; 0 when missing.' }),
    citizenshipAcquired: t.exposeFloat('citizenshipAcquired', {
      description: 'Naturalisations recorded on this (foreigner) group.',
    }),
    citizenshipLost: t.exposeFloat('citizenshipLost', {
      description: 'Losses of citizenship recorded on this (citizen) group.',
    }),
    closing: t.float({ nullable: true, description: 'CLOSING_STOCK; null when missing.', resolve: (g) => g.closing }),
    expectedClosing: t.float({
      nullable: true,
      description:
        'Opening + births + immigration − deaths − emigration ± citizenship moves with the partner group; null ' +
        'when the opening stock is missing.',
      resolve: (g) => g.expectedClosing,
    }),
    residual: t.float({
      nullable: true,
      description: 'closing − expectedClosing; null when a stock is missing.',
      resolve: (g) => g.residual,
    }),
    coherent: t.exposeBoolean('coherent', {
      description: '|residual| ≤ max(1, tolerance × closing); false when the residual is null.',
    }),
    previousClosing: t.float({
      nullable: true,
      description:
        "CLOSING_STOCK of the same group in the year before, as the caller reads it: where this year's opening " +
        'stock should start. Null when there is none (on the total, when a group has none).',
      resolve: (g) => g.previousClosing,
    }),
    openingGap: t.float({
      nullable: true,
      description:
        'opening − previousClosing: 0 when the account continues the year before; null when either is missing.',
      resolve: (g) => g.openingGap,
    }),
  }),
});

// The entries of `missing` typed, so that clients need not split strings (and AccountComponent, which CONTRACT §2
// names, is part of the schema).
const MissingComponent = builder
  .objectRef<{ group: typeof PopulationGroup.$inferType; component: typeof AccountComponent.$inferType }>(
    'MissingComponent',
  )
  .implement({
    description:
      'A component with no entry for a group it applies to: a flow counts as 0, a stock leaves the residual null.',
    fields: (t) => ({
      group: t.expose('group', { type: PopulationGroup, description: 'The population group.' }),
      component: t.expose('component', { type: AccountComponent, description: 'The component it lacks.' }),
    }),
  });

const PopulationAccount = builder.objectRef<accounting.PopulationAccountView>('PopulationAccount').implement({
  description: "A country's population account for one year, by group and in total.",
  fields: (t) => ({
    pendingEntries: t.exposeInt('pendingEntries', {
      description:
        'Entries sent for review (SUBMITTED or VALIDATED) and read at a value not yet PUBLISHED: what ' +
        "publishPopulationAccount would publish (a country's DRAFT entries are not counted); always 0 for callers " +
        'who read published values only.',
    }),
    country: t.field({
      type: Country,
      description: 'The country.',
      resolve: (a, _args, ctx: Context) => ctx.prisma.country.findUniqueOrThrow({ where: { id: a.countryId } }),
    }),
    year: t.exposeInt('year', { description: 'The year: opening stock at its start, closing stock at its end.' }),
    coherent: t.exposeBoolean('coherent', { description: 'Whether every group is coherent.' }),
    continuous: t.boolean({
      nullable: true,
      description:
        'Whether every group opens where it closed the year before (|openingGap| ≤ max(1, tolerance × opening)): ' +
        'stocks coherent across years, not only within this one (`coherent`). Null when a gap is unknown (no ' +
        'account for the year before, or a stock missing).',
      resolve: (a) => a.continuous,
    }),
    groups: t.field({ type: [AccountGroup], description: 'The four groups.', resolve: (a) => a.groups }),
    total: t.field({
      type: AccountGroup,
      description: 'The sum of the four groups (citizenship moves cancel out).',
      resolve: (a) => a.total,
    }),
    missing: t.exposeStringList('missing', {
      description: 'Components missing for a group they apply to, as "GROUP:COMPONENT".',
    }),
    missingComponents: t.field({
      type: [MissingComponent],
      description: 'The same as missing, as typed pairs.',
      resolve: (a) =>
        a.missing.map((m) => {
          const [group, component] = m.split(':') as [
            typeof PopulationGroup.$inferType,
            typeof AccountComponent.$inferType,
          ];
          return { group, component };
        }),
    }),
  }),
});

builder.queryField('populationAccount', (t) =>
  t.field({
    type: PopulationAccount,
    nullable: true,
    description:
      "A country's population account for a year, over the entries the caller may read (null when there are none). " +
      'Anonymous and READER callers read PUBLISHED entries only. Tolerance: a group ' +
      'is coherent when |residual| ≤ max(1, tolerance × closing); 0.001 unless given.',
    args: {
      country: t.arg.string({ required: true, description: 'M49 or ISO3 code.' }),
      year: t.arg.int({ required: true, description: 'The year of the account.' }),
      tolerance: t.arg.float({
        required: false,
        description: 'Relative tolerance of the coherence test (≥ 0); 0.001 when omitted.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const tolerance = args.tolerance ?? accounting.DEFAULT_TOLERANCE;
      if (!(tolerance >= 0)) {
        throw new GraphQLError('tolerance must be a number ≥ 0', { extensions: { code: 'BAD_USER_INPUT' } });
      }
      const country = await requireCode('country', 'country', args.country, (code) =>
        ctx.prisma.country.findUnique({ where: countryKey(code), select: { id: true } }),
      );
      return accounting.populationAccount(ctx.prisma, visibilityOf(ctx.viewer), country.id, args.year, tolerance);
    },
  }),
);

const accountCountry = targetDescriptions('country', 'countryId', 'country', 'CHE');

const PublishPopulationAccountInput = builder.inputType('PublishPopulationAccountInput', {
  description:
    "A country's population account for one year (accounts are not nodes: the country and the year name one).",
  fields: (t) => ({
    countryId: t.id({ description: accountCountry.id }),
    country: t.string({ description: accountCountry.code }),
    year: t.int({ required: true, description: 'The year of the account.' }),
  }),
});

const PublishPopulationAccountPayload = builder
  .objectRef<{ published: number; entries: number; drafts: number }>('PublishPopulationAccountPayload')
  .implement({
    description: 'How many entries of the account were published by this call, and how many it has.',
    fields: (t) => ({
      published: t.exposeInt('published', { description: 'Entries that became PUBLISHED (0 when they all were).' }),
      entries: t.exposeInt('entries', { description: 'Entries of the account.' }),
      drafts: t.exposeInt('drafts', {
        description: 'Entries left as DRAFT: the country has not sent them for review, so they were not published.',
      }),
    }),
  });

builder.mutationField('publishPopulationAccount', (t) =>
  t.field({
    type: PublishPopulationAccountPayload,
    description:
      "Publishes a country's population account for a year (TASK_FORCE or ADMIN): every SUBMITTED or VALIDATED " +
      'entry becomes PUBLISHED and readable by everyone; DRAFT entries (not sent for review) stay as they are. ' +
      'Entries are imported with the status of their CSV row (default SUBMITTED).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      input: t.arg({ type: PublishPopulationAccountInput, required: true, description: 'The account to publish.' }),
    },
    resolve: async (_root, { input }, ctx) => {
      const countryId = await targetId(input, countryTarget(ctx.prisma, 'countryId'));
      const country = await ctx.prisma.country.findUnique({ where: { id: countryId } });
      if (!country) throw new NotFoundError('input.countryId: no such country');
      const result = await accounting.publishAccount(
        ctx.prisma,
        actorOf(ctx.viewer),
        { id: country.id, label: country.iso3 ?? country.m49 },
        input.year,
      );
      if (!result.entries)
        throw new NotFoundError(`${country.iso3 ?? country.m49} has no population account for ${input.year}`);
      return result;
    },
  }),
);

const ImportPopulationAccountsInput = builder.inputType('ImportPopulationAccountsInput', {
  description:
    'A population-accounts file (country,year,group,component,value[,status]; CONTRACT §5): the CSV as text, or an ' +
    'uploaded CSV or XLSX file; exactly one.',
  fields: (t) => ({
    ...fileFields(t),
    dryRun: t.boolean({ description: 'Validate only; write nothing.' }),
  }),
});

const ImportPopulationAccountsResult = builder
  .objectRef<{
    ok: boolean;
    dryRun: boolean;
    created: number;
    updated: number;
    unchanged: number;
    problems: ImportProblem[];
  }>('ImportPopulationAccountsResult')
  .implement({
    description:
      'The outcome of importPopulationAccounts: every problem (nothing written), or the counts (none on a dry run).',
    fields: (t) => ({
      ok: t.exposeBoolean('ok', { description: 'True when the file is valid (and, unless dryRun, was written).' }),
      dryRun: t.exposeBoolean('dryRun', { description: 'Whether this was a dry run (nothing written).' }),
      created: t.exposeInt('created', { description: 'Entries created.' }),
      updated: t.exposeInt('updated', { description: 'Entries whose value or status changed.' }),
      unchanged: t.exposeInt('unchanged', { description: 'Rows equal to the stored entry, left alone.' }),
      problems: t.field({
        type: [ImportProblemRef],
        description: 'Every problem, by line and column (sheet and cell in a workbook); empty when ok.',
        resolve: (r) => r.problems,
      }),
    }),
  });

builder.mutationField('importPopulationAccounts', (t) =>
  t.field({
    type: ImportPopulationAccountsResult,
    description:
      'Imports population-account entries, all-or-nothing, as `migstat import accounts` does: upserted by country, ' +
      'year, group and component, with the status of their row (default SUBMITTED). A FOCAL_POINT may import its ' +
      'own country only, with status DRAFT or SUBMITTED; TASK_FORCE and ADMIN any rows and statuses.',
    authScopes: countryDataImportScopes,
    args: {
      input: t.arg({
        type: ImportPopulationAccountsInput,
        required: true,
        description: 'The file and whether to write it.',
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const dryRun = !!input.dryRun;
      const { source, table } = tableOf(input);
      const result = await importAccountsFile(ctx.prisma, source, {
        actor: actorOf(ctx.viewer),
        viewer: ctx.viewer,
        dryRun,
        table,
      });
      return result.ok
        ? { ok: true, dryRun, problems: [], ...result.report }
        : { ok: false, dryRun, created: 0, updated: 0, unchanged: 0, problems: result.problems };
    },
  }),
);
