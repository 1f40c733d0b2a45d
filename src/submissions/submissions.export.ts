// Exports submissions in the submissions CSV format of CONTRACT §5, the format `import submissions` reads: one row per
// observation, a column per disaggregation variable in use. By default the published data a portal syncs: for each
// key (country, indicator, reference year, source) its latest version among the statuses asked for, of the versions
// the reader may see (visibility.ts; the CLI reads as an operator, who sees every version). Rows are
// streamed a page of submissions at a time, so the export holds no more than one page in memory.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import { csvRecord } from '../platform/csv.js';
import type { PrismaClient } from '../platform/db.js';
import { dimensionsOf } from './submissions.import.js';
import { visibleVersion, type Visibility } from './visibility.js';

export interface ExportOptions {
  /** Whose view of the data: the export never holds a version this reader may not see. */
  visibility: Visibility;
  statuses: readonly SubmissionStatus[];
  /** Indicator code; every indicator when absent. */
  indicator?: string | undefined;
  /** Country id; every country when absent. */
  countryId?: number | undefined;
}

/** The §5 columns, before one column per disaggregation variable (also the bulk download's). */
export const BASE_COLUMNS = [
  'country',
  'indicator',
  'reference_year',
  'value',
  'unit',
  'source_type',
  'data_source',
  'residence_criterion',
  'status',
  'note',
] as const;

/** What a §5 row says of its submission, beside the observation's indicator, key and value. */
export interface RowSubmission {
  country: string;
  referenceYear: number;
  unit: string;
  sourceType: string | null;
  dataSource: string | null;
  residenceCriterion: string | null;
  status: string;
  note: string | null;
}

/** One observation as a §5 row: the base columns, then its category of each variable column (blank when none). */
export function observationRow(
  s: RowSubmission,
  indicator: string,
  dimensionKey: string,
  value: number,
  variables: readonly string[],
): (string | number)[] {
  const dims = dimensionsOf(dimensionKey);
  return [
    s.country,
    indicator,
    s.referenceYear,
    value,
    s.unit,
    s.sourceType ?? '',
    s.dataSource ?? '',
    s.residenceCriterion ?? '',
    s.status,
    s.note ?? '',
    ...variables.map((v) => dims[v] ?? ''),
  ];
}

const PAGE = 500;

interface Row extends RowSubmission {
  id: number;
  countryId: number;
  indicatorId: number;
  sourceKey: string;
  indicator: string;
  observations: { key: string; value: number }[];
}

/** The selected versions, as a SELECT of submission ids. */
function selected(options: ExportOptions): Prisma.Sql {
  const indicator = options.indicator
    ? Prisma.sql`AND s."indicatorId" = (SELECT id FROM "Indicator" WHERE code = ${options.indicator})`
    : Prisma.empty;
  const country = options.countryId !== undefined ? Prisma.sql`AND s."countryId" = ${options.countryId}` : Prisma.empty;
  return Prisma.sql`
    SELECT DISTINCT ON (s."countryId", s."indicatorId", s."referenceYear", s."sourceKey") s.id
    FROM "Submission" s
    WHERE s.status::text = ANY(${[...options.statuses]}::text[]) AND ${visibleVersion(options.visibility, 's')}
      ${indicator} ${country}
    ORDER BY s."countryId", s."indicatorId", s."referenceYear", s."sourceKey", s.version DESC`;
}

/** CSV lines (each ending in CRLF, as RFC 4180 has it), header first. */
export async function* exportSubmissionsCsv(prisma: PrismaClient, options: ExportOptions): AsyncGenerator<string> {
  const keys = await prisma.$queryRaw<{ dimensionKey: string }[]>(Prisma.sql`
    SELECT DISTINCT o."dimensionKey" FROM "Observation" o WHERE o."submissionId" IN (${selected(options)})`);
  const variables = [...new Set(keys.flatMap((k) => Object.keys(dimensionsOf(k.dimensionKey))))].sort();
  yield csvRecord([...BASE_COLUMNS, ...variables]);

  // Keyset pages in key order (country, indicator, year, source), not id order: ids follow the order a file was
  // imported in, and an export re-imported must export again byte for byte.
  let after: Row | null = null;
  for (;;) {
    const from: Prisma.Sql = after
      ? Prisma.sql`WHERE (s."countryId", s."indicatorId", s."referenceYear", s."sourceKey") >
          (${after.countryId}, ${after.indicatorId}, ${after.referenceYear}, ${after.sourceKey})`
      : Prisma.empty;
    const page: Row[] = await prisma.$queryRaw<Row[]>(Prisma.sql`
      WITH chosen AS (${selected(options)})
      SELECT s.id, s."countryId", s."indicatorId", s."sourceKey", c.m49 AS country, i.code AS indicator,
        s."referenceYear", s.unit, st.code AS "sourceType",
        ds.code AS "dataSource", s."residenceCriterion"::text AS "residenceCriterion", s.status::text AS status, s.note,
        (SELECT json_agg(json_build_object('key', o."dimensionKey", 'value', o.value) ORDER BY o."dimensionKey")
           FROM "Observation" o WHERE o."submissionId" = s.id) AS observations
      FROM "Submission" s
      JOIN chosen ON chosen.id = s.id
      JOIN "Country" c ON c.id = s."countryId"
      JOIN "Indicator" i ON i.id = s."indicatorId"
      LEFT JOIN "SourceType" st ON st.id = s."sourceTypeId"
      LEFT JOIN "DataSource" ds ON ds.id = s."dataSourceId"
      ${from}
      ORDER BY s."countryId", s."indicatorId", s."referenceYear", s."sourceKey"
      LIMIT ${PAGE}`);
    for (const s of page) {
      // Numbers as numbers (a negative value stays a number); text cells are escaped against formulas.
      for (const o of s.observations ?? []) yield csvRecord(observationRow(s, s.indicator, o.key, o.value, variables));
    }
    if (page.length < PAGE) return;
    after = page.at(-1)!;
  }
}
