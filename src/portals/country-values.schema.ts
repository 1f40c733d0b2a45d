// `countryValues` (CONTRACT §10): the one value per country that every map needs, read as the caller may see it.
import type { ObjectRef } from '@pothos/core';
import { getRefFromModel } from '@pothos/plugin-prisma';
import type {
  Country as CountryRow,
  DataSource as DataSourceRow,
  Indicator as IndicatorRow,
  SourceType as SourceTypeRow,
} from '../../prisma/generated/prisma/client.js';
import type {
  ResidenceCriterion as ResidenceCriterionValue,
  SubmissionOrigin as SubmissionOriginValue,
} from '../../prisma/generated/prisma/enums.js';
import { Indicator } from '../catalogue/indicator.schema.js';
import { SourceType } from '../catalogue/source-type.schema.js';
import { findIndicator, regionId, sexKey } from '../coverage/coverage.schema.js';
import { Country } from '../geography/country.schema.js';
import { builder, type BuilderTypes } from '../schema/builder.js';
import { ResidenceCriterion, SubmissionOrigin } from '../schema/enums.js';
import { visibilityOf } from '../submissions/visibility.js';
import { countryValues } from './country-values.service.js';

// The DataSource node is defined by its own module; the prisma plugin hands out the same ref for the model name.
const DataSource = getRefFromModel('DataSource', builder) as unknown as ObjectRef<BuilderTypes, DataSourceRow>;

interface CountryValueShape {
  country: CountryRow;
  indicator: IndicatorRow;
  year: number;
  value: number;
  unit: string;
  sourceType: SourceTypeRow | null;
  dataSource: DataSourceRow | null;
  residenceCriterion: ResidenceCriterionValue | null;
  origin: SubmissionOriginValue;
  publishedAt: Date | null;
  countableSince: Date | null;
}

const CountryValue = builder.objectRef<CountryValueShape>('CountryValue').implement({
  description:
    "A country's value of an indicator in a year (CONTRACT §4 country value): the total (or one sex) of its " +
    'countable submission; of several sources, the one validated or published most recently.',
  fields: (t) => ({
    country: t.field({ type: Country, description: 'The country.', resolve: (v) => v.country }),
    indicator: t.field({ type: Indicator, description: 'The indicator.', resolve: (v) => v.indicator }),
    year: t.exposeInt('year', { description: 'Reference year.' }),
    value: t.exposeFloat('value', { description: 'The value, in `unit`.' }),
    unit: t.exposeString('unit', { description: 'Unit of measure of the submission.' }),
    sourceType: t.field({
      type: SourceType,
      nullable: true,
      description: 'Source type the submission names, if any.',
      resolve: (v) => v.sourceType,
    }),
    dataSource: t.field({
      type: DataSource,
      nullable: true,
      description: 'Data source the submission names, if any.',
      resolve: (v) => v.dataSource,
    }),
    residenceCriterion: t.field({
      type: ResidenceCriterion,
      nullable: true,
      description: 'Residence criterion of the submission, if stated.',
      resolve: (v) => v.residenceCriterion,
    }),
    origin: t.field({
      type: SubmissionOrigin,
      description: "The country's own figure, or an international estimate of it (UN DESA).",
      resolve: (v) => v.origin,
    }),
    publishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the submission was published; null for a validated one not yet published.',
      resolve: (v) => v.publishedAt,
    }),
    countableSince: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the submission was validated or published (the tie-break between sources).',
      resolve: (v) => v.countableSince,
    }),
  }),
});

builder.queryFields((t) => ({
  countryValues: t.field({
    type: [CountryValue],
    description:
      'The country value (CONTRACT §4) of an indicator in a year for each country in scope that has one (the ' +
      'countries of `region` at any depth of the M49 hierarchy, or all), ordered by M49 code: the total, or one ' +
      'sex with `sex`. Reads only the versions the caller may see (anonymous: PUBLISHED).',
    args: {
      indicator: t.arg.string({ required: true, description: 'Indicator code.' }),
      year: t.arg.int({ required: true, description: 'Reference year.' }),
      sex: t.arg.string({ required: false, description: 'SEX code: "F", "M" or "_T" (the total, as when absent).' }),
      region: t.arg.string({ required: false, description: 'M49 region code, e.g. "150" (Europe).' }),
    },
    resolve: async (_root, args, ctx) => {
      const [indicator, region, dimensionKey] = await Promise.all([
        findIndicator(ctx, args.indicator),
        regionId(ctx, args.region),
        sexKey(ctx, args.sex),
      ]);
      const rows = await countryValues(
        ctx.prisma,
        {
          indicatorId: indicator.id,
          year: args.year,
          regionId: region,
          dimensionKey,
        },
        visibilityOf(ctx.viewer),
      );
      const idsOf = (pick: (r: (typeof rows)[number]) => number | null) => [
        ...new Set(rows.map(pick).filter((id): id is number => id != null)),
      ];
      const [countries, sourceTypes, dataSources] = await Promise.all([
        ctx.prisma.country.findMany({ where: { id: { in: idsOf((r) => r.countryId) } } }),
        ctx.prisma.sourceType.findMany({ where: { id: { in: idsOf((r) => r.sourceTypeId) } } }),
        ctx.prisma.dataSource.findMany({ where: { id: { in: idsOf((r) => r.dataSourceId) } } }),
      ]);
      const byId = <T extends { id: number }>(list: T[]) => new Map(list.map((x) => [x.id, x]));
      const [countryById, sourceTypeById, dataSourceById] = [byId(countries), byId(sourceTypes), byId(dataSources)];
      return rows.map((r) => ({
        country: countryById.get(r.countryId)!,
        indicator,
        year: r.referenceYear,
        value: r.value,
        unit: r.unit,
        sourceType: r.sourceTypeId == null ? null : sourceTypeById.get(r.sourceTypeId)!,
        dataSource: r.dataSourceId == null ? null : dataSourceById.get(r.dataSourceId)!,
        residenceCriterion: r.residenceCriterion,
        origin: r.origin,
        publishedAt: r.status === 'PUBLISHED' ? r.countableSince : null,
        countableSince: r.countableSince,
      }));
    },
  }),
}));
