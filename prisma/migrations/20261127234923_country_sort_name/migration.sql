-- Country.sortName: the name folded for ordering and search (lower case, without diacritics), so that Åland Islands
-- sorts among the A's and "cote" finds Côte d'Ivoire whatever the database's collation. Imports set it
-- (src/geography/m49.ts foldName); existing rows get the same rule here: NFD, combining marks U+0300–U+036F dropped,
-- lower case.
ALTER TABLE "Country" ADD COLUMN     "sortName" TEXT NOT NULL DEFAULT '';
UPDATE "Country" SET "sortName" = lower(regexp_replace(normalize("name", NFD), '[\u0300-\u036f]', '', 'g'));
ALTER TABLE "Country" ALTER COLUMN "sortName" DROP DEFAULT;
