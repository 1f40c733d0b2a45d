-- Submission.origin: whose figures a version holds. UN DESA's International Migrant Stock is an international estimate
-- (imputed and modelled where countries gave nothing), not the country's own data, which implementation evidence
-- (CONTRACT §8) counts. Versions the UN DESA importer wrote before this column existed are recognised by what it
-- always wrote: no source named and its note (src/submissions/undesa.import.ts SOURCE_NOTE).
-- CreateEnum
CREATE TYPE "SubmissionOrigin" AS ENUM ('COUNTRY', 'INTERNATIONAL_ESTIMATE');

-- AlterTable
ALTER TABLE "Submission" ADD COLUMN     "origin" "SubmissionOrigin" NOT NULL DEFAULT 'COUNTRY';

UPDATE "Submission" SET "origin" = 'INTERNATIONAL_ESTIMATE'
WHERE "sourceKey" = '' AND "sourceTypeId" IS NULL AND "dataSourceId" IS NULL
  AND starts_with("note", 'UN DESA International Migrant Stock 2020 (POP/DB/MIG/Stock/Rev.2020); type of data:');
