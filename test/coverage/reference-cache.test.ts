// aggregate's `missing` countries come from a cache of the M49 list validated by a version stamp read in the same
// statement: a change made through the import (or by another process) shows in the very next answer.
import { readFileSync } from 'node:fs';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importCountries, parseCountries } from '../../src/geography/countries.import.js';
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(() => hub?.close());

const Missing = graphql(`
  query MissingInWesternEurope {
    aggregate(indicator: "IMM_STOCK", year: 2020, region: "155") {
      countriesInScope
      missing {
        m49
        name
      }
    }
  }
`);

test('a renamed country shows under its new name in the next aggregate', async () => {
  const before = data(await hub.gql(Missing)).aggregate!;
  expect(before.countriesInScope).toBe(9);
  expect(before.missing.find((c) => c.m49 === '756')?.name).toBe('Switzerland');

  const csv = readFileSync('data/countries.csv', 'utf8').replace(',Switzerland,756,', ',Swiss Confederation,756,');
  await importCountries(hub.db.prisma, await parseCountries({ text: csv }), CLI_ACTOR);

  const after = data(await hub.gql(Missing)).aggregate!;
  expect(after.missing.map((c) => c.m49)).toEqual(before.missing.map((c) => c.m49));
  expect(after.missing.find((c) => c.m49 === '756')?.name).toBe('Swiss Confederation');
});
