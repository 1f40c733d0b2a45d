/** Search text for Prisma's `contains`, which passes `%` and `_` to LIKE unescaped: "a_b" must not match "axb". */
export function likeText(search: string | null | undefined): string | undefined {
  const s = search?.trim();
  return s ? s.replace(/[\\%_]/g, (c) => `\\${c}`) : undefined;
}
