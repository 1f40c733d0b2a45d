// Population accounting (CONTRACT §4): the balance of the four TF2 groups of one country and year.
import { countryKey } from '../geography/m49.js';
import { GraphQLError } from 'graphql';
import type { Context } from '../platform/context.js';
import * as accounting from './accounting.service.js';
import { builder } from '../schema/builder.js';
import { Country } from '../geography/country.schema.js';
import { PopulationGroup } from '../schema/enums.js';

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
    births: t.exposeFloat('births'),
    deaths: t.exposeFloat('deaths'),
    immigration: t.exposeFloat('immigration'),
    emigration: t.exposeFloat('emigration'),
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
  }),
});

const PopulationAccount = builder.objectRef<accounting.PopulationAccountResult>('PopulationAccount').implement({
  description: "A country's population account for one year, by group and in total.",
  fields: (t) => ({
    country: t.field({
      type: Country,
      resolve: (a, _args, ctx: Context) => ctx.prisma.country.findUniqueOrThrow({ where: { id: a.countryId } }),
    }),
    year: t.exposeInt('year'),
    coherent: t.exposeBoolean('coherent', { description: 'Whether every group is coherent.' }),
    groups: t.field({ type: [AccountGroup], description: 'The four groups.', resolve: (a) => a.groups }),
    total: t.field({
      type: AccountGroup,
      description: 'The sum of the four groups (citizenship moves cancel out).',
      resolve: (a) => a.total,
    }),
    missing: t.exposeStringList('missing', {
      description: 'Components missing for a group they apply to, as "GROUP:COMPONENT".',
    }),
  }),
});

builder.queryField('populationAccount', (t) =>
  t.field({
    type: PopulationAccount,
    nullable: true,
    description:
      "A country's population account for a year (null when it has no entries for that year). Tolerance: a group " +
      'is coherent when |residual| ≤ max(1, tolerance × closing); 0.001 unless given.',
    args: {
      country: t.arg.string({ required: true, description: 'M49 or ISO3 code.' }),
      year: t.arg.int({ required: true }),
      tolerance: t.arg.float({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const tolerance = args.tolerance ?? accounting.DEFAULT_TOLERANCE;
      if (!(tolerance >= 0)) {
        throw new GraphQLError('tolerance must be a number ≥ 0', { extensions: { code: 'BAD_USER_INPUT' } });
      }
      const country = await ctx.prisma.country.findUnique({ where: countryKey(args.country), select: { id: true } });
      if (!country) {
        throw new GraphQLError(`No country with M49 or ISO3 code "${args.country}"`, {
          extensions: { code: 'NOT_FOUND' },
        });
      }
      return accounting.populationAccount(ctx.prisma, country.id, args.year, tolerance);
    },
  }),
);
