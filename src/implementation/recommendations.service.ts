// Task-force curation of recommendations (issue 8 item 1): create and update, each one audited transaction. An
// update names the revision the client saw (two task-force members editing the same recommendation: one wins, the
// other gets a ConflictError), and validation reports every problem of an input at once — format errors and unknown
// indicator or concept codes together.
import { audit, type Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { ConflictError, NotFoundError, ValidationError, type Issue } from '../platform/errors.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import type { FrameworkArea } from '../../prisma/generated/prisma/enums.js';
import { sourceReference } from '../catalogue/codes.js';
import { recordItemChanges } from '../submissions/changes.js';

type Tx = Prisma.TransactionClient;
type Maybe<T> = T | null | undefined;

export interface RecommendationFields {
  text?: Maybe<string>;
  sourceUrl?: Maybe<string>;
  area?: Maybe<FrameworkArea>;
  position?: Maybe<number>;
  indicators?: Maybe<string[]>;
  concepts?: Maybe<string[]>;
  provisionalFields?: Maybe<string[]>;
}

const CODE = /^[A-Z][A-Z0-9_]*$/;
const MAX_TEXT = 2000;

const INCLUDE = {
  indicators: { select: { indicator: { select: { code: true } } } },
  concepts: { select: { concept: { select: { code: true } } } },
} as const;

type Row = Prisma.RecommendationGetPayload<{ include: typeof INCLUDE }>;

const snapshot = (r: Row) => ({
  code: r.code,
  text: r.text,
  sourceUrl: r.sourceUrl,
  area: r.area,
  position: r.position,
  indicators: r.indicators.map((l) => l.indicator.code).sort(),
  concepts: r.concepts.map((l) => l.concept.code).sort(),
  provisionalFields: r.provisionalFields,
  revision: r.revision,
});

/** Checks every field and resolves every code; throws one ValidationError with all the problems. */
async function resolveFields(tx: Tx, input: RecommendationFields, issues: Issue[]) {
  const at = (field: string, message: string) => issues.push({ path: ['input', field], message });
  if (input.text !== undefined) {
    const text = input.text?.trim() ?? '';
    if (!text) at('text', 'must not be empty');
    else if (text.length > MAX_TEXT) at('text', `must be at most ${MAX_TEXT} characters`);
  }
  if (input.position != null && (!Number.isInteger(input.position) || input.position < 0))
    at('position', 'must be a whole number, 0 or more');
  if (input.sourceUrl) {
    const source = sourceReference.safeParse(input.sourceUrl);
    if (!source.success) at('sourceUrl', source.error.issues[0]!.message);
  }
  const resolve = async (field: 'indicators' | 'concepts', codes: Maybe<string[]>) => {
    if (codes == null) return undefined;
    const wanted = [...new Set(codes.map((c) => c.trim()))];
    const rows =
      field === 'indicators'
        ? await tx.indicator.findMany({ where: { code: { in: wanted } }, select: { id: true, code: true } })
        : await tx.concept.findMany({ where: { code: { in: wanted } }, select: { id: true, code: true } });
    const known = new Map(rows.map((r) => [r.code, r.id]));
    codes.forEach((c, i) => {
      if (!known.has(c.trim()))
        issues.push({
          path: ['input', field, `[${i}]`],
          message: `unknown ${field === 'indicators' ? 'indicator' : 'concept'} "${c}"`,
        });
    });
    return wanted.flatMap((c) => (known.has(c) ? [known.get(c)!] : []));
  };
  return {
    indicatorIds: await resolve('indicators', input.indicators),
    conceptIds: await resolve('concepts', input.concepts),
  };
}

export async function createRecommendation(
  prisma: PrismaClient,
  actor: Actor,
  input: RecommendationFields & { code: string },
) {
  return prisma.$transaction(async (tx) => {
    const issues: Issue[] = [];
    const code = input.code.trim();
    if (!CODE.test(code)) issues.push({ path: ['input', 'code'], message: 'must be upper-case letters, digits and _' });
    if (input.text == null) issues.push({ path: ['input', 'text'], message: 'required' });
    const { indicatorIds, conceptIds } = await resolveFields(tx, input, issues);
    if (issues.length) throw ValidationError.of(issues);
    if (await tx.recommendation.findUnique({ where: { code }, select: { id: true } }))
      throw new ConflictError(`A recommendation with code ${code} already exists`);
    const position =
      input.position ?? ((await tx.recommendation.aggregate({ _max: { position: true } }))._max.position ?? -1) + 1;
    const row = await tx.recommendation.create({
      data: {
        code,
        text: input.text!.trim(),
        sourceUrl: input.sourceUrl?.trim() || null,
        area: input.area ?? null,
        position,
        provisionalFields: input.provisionalFields ?? [],
        indicators: { create: (indicatorIds ?? []).map((indicatorId) => ({ indicatorId })) },
        concepts: { create: (conceptIds ?? []).map((conceptId) => ({ conceptId })) },
      },
      include: INCLUDE,
    });
    await audit(tx, actor, 'recommendation.create', 'Recommendation', code, null, snapshot(row));
    await recordItemChanges(tx, [{ type: 'Recommendation', id: row.id }]);
    return row;
  });
}

export async function updateRecommendation(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  expectedRevision: number,
  input: RecommendationFields,
) {
  return prisma.$transaction(async (tx) => {
    const current = await tx.recommendation.findUnique({ where: { id }, include: INCLUDE });
    if (!current) throw new NotFoundError('input.id: no such recommendation');
    const issues: Issue[] = [];
    const { indicatorIds, conceptIds } = await resolveFields(tx, input, issues);
    if (issues.length) throw ValidationError.of(issues);
    if (current.revision !== expectedRevision)
      throw ConflictError.staleRevision('The recommendation', current.revision, expectedRevision);
    // Setting a field confirms it, unless the input says which fields stay provisional.
    const set = (['text', 'sourceUrl', 'area', 'position', 'indicators', 'concepts'] as const).filter(
      (k) => input[k] !== undefined,
    );
    const provisionalFields =
      input.provisionalFields ?? current.provisionalFields.filter((f) => !set.includes(f as (typeof set)[number]));
    const { count } = await tx.recommendation.updateMany({
      where: { id, revision: expectedRevision },
      data: {
        text: input.text != null ? input.text.trim() : undefined,
        sourceUrl: input.sourceUrl !== undefined ? input.sourceUrl?.trim() || null : undefined,
        area: input.area !== undefined ? input.area : undefined,
        position: input.position ?? undefined,
        provisionalFields,
        revision: { increment: 1 },
      },
    });
    if (count !== 1)
      throw new ConflictError('The recommendation was changed by another request at the same time; reload and retry');
    if (indicatorIds) {
      await tx.recommendationIndicator.deleteMany({ where: { recommendationId: id } });
      await tx.recommendationIndicator.createMany({
        data: indicatorIds.map((indicatorId) => ({ recommendationId: id, indicatorId })),
      });
    }
    if (conceptIds) {
      await tx.recommendationConcept.deleteMany({ where: { recommendationId: id } });
      await tx.recommendationConcept.createMany({
        data: conceptIds.map((conceptId) => ({ recommendationId: id, conceptId })),
      });
    }
    const row = await tx.recommendation.findUniqueOrThrow({ where: { id }, include: INCLUDE });
    await audit(tx, actor, 'recommendation.update', 'Recommendation', row.code, snapshot(current), snapshot(row));
    await recordItemChanges(tx, [{ type: 'Recommendation', id: row.id }]);
    return row;
  });
}
