// Shared pieces of the portal suites (CONTRACT §10): a scenario with published, validated-only and superseded data,
// HTTP helpers over the real Yoga handler, and validators built from the official SDMX-JSON 2.0.0 schemas.
import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import AjvFormats from 'ajv-formats';
import type { PrismaClient } from '../../src/platform/db.js';
import type { Hub } from '../support/hub.js';
import { importSubmissionsCsv, setVersion } from '../support/scenarios.js';

// The project's copy of the official schemas (shared/sdmx; provenance in the README beside them).
const SDMX_DIR = new URL('./sdmx-schemas', import.meta.url).pathname;

// Both are CommonJS modules exporting `default`: which object the import names depends on the loader.
const interop = (module: unknown): unknown => (module as { default?: unknown }).default ?? module;
const Ajv = interop(AjvDraft04) as typeof AjvDraft04.default;
const addFormats = interop(AjvFormats) as typeof AjvFormats.default;

function validator(file: string) {
  // The schemas declare draft-04 ("id", "$schema": ".../schema#"); some patterns escape "-" in a way unicode mode
  // rejects, hence unicodeRegExp: false (see the README beside them).
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, validateSchema: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(`${SDMX_DIR}/${file}`, 'utf8')));
}

const validators = {
  data: validator('sdmx-json-data-schema-2.0.0.json'),
  structure: validator('sdmx-json-structure-schema-2.0.0.json'),
};

/** Fails with the schema's complaints when the message does not validate. */
export function expectValid(kind: 'data' | 'structure', message: unknown): void {
  const validate = validators[kind];
  if (!validate(message)) {
    throw new Error(`SDMX-JSON ${kind} message invalid:\n${JSON.stringify(validate.errors?.slice(0, 10), null, 2)}`);
  }
}

export async function get(hub: Hub, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return hub.api.fetch(`http://hub.test${path}`, { method: 'GET', headers });
}

export const bearer = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

/**
 * IMM_STOCK data as the scenario stores it, by key and version:
 *  - CHE 2020 ST:CENSUS v1 PUBLISHED OPTION_I 100 (F 60, M 40, AGE Y15T24 10) · v2 VALIDATED 101 (total only)
 *  - CHE 2010 ST:CENSUS v1 PUBLISHED 80, note starting with "=" (a formula, for the CSV-injection check)
 *  - FRA 2020 ST:POP_REGISTER v1 PUBLISHED OPTION_II 200, countable since 2020-01-01
 *  - FRA 2020 ST:CENSUS v1 VALIDATED 999 (validated only, countable later than the register)
 *  - DEU 2020 ST:CENSUS v1 VALIDATED 555 (validated only) · ITA 2020 ST:CENSUS v1 SUBMITTED 777
 * Anonymous callers must see only the PUBLISHED versions.
 */
export async function portalScenario(prisma: PrismaClient): Promise<void> {
  const header = 'country,indicator,reference_year,value,source_type,residence_criterion,status,note,SEX,AGE';
  await importSubmissionsCsv(
    prisma,
    [
      header,
      'CHE,IMM_STOCK,2020,100,CENSUS,OPTION_I,PUBLISHED,,,',
      'CHE,IMM_STOCK,2020,60,CENSUS,OPTION_I,PUBLISHED,,F,',
      'CHE,IMM_STOCK,2020,40,CENSUS,OPTION_I,PUBLISHED,,M,',
      'CHE,IMM_STOCK,2020,10,CENSUS,OPTION_I,PUBLISHED,,,Y15T24',
      'CHE,IMM_STOCK,2010,80,CENSUS,OPTION_I,PUBLISHED,"=HYPERLINK(""http://evil.example"",""x"")",,',
      'FRA,IMM_STOCK,2020,200,POP_REGISTER,OPTION_II,PUBLISHED,register count,,',
      'FRA,IMM_STOCK,2020,999,CENSUS,OPTION_I,VALIDATED,secret validated,,',
      'DEU,IMM_STOCK,2020,555,CENSUS,OPTION_I,VALIDATED,secret validated,,',
      'ITA,IMM_STOCK,2020,777,CENSUS,OPTION_I,SUBMITTED,secret pending,,',
    ].join('\n'),
  );
  await importSubmissionsCsv(
    prisma,
    [header, 'CHE,IMM_STOCK,2020,101,CENSUS,OPTION_I,VALIDATED,secret v2,,'].join('\n'),
  );
  await setVersion(
    prisma,
    { country: 'FRA', indicator: 'IMM_STOCK', year: 2020, sourceKey: 'ST:POP_REGISTER', version: 1 },
    { countableSince: new Date('2020-01-01T00:00:00Z') },
  );
}

/** Values anonymous callers must never receive, in any format. */
export const SECRET_VALUES = ['101', '999', '555', '777'];
