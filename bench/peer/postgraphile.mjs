// PostGraphile v5 over the hub's PostgreSQL database, for `npm run bench:peer` (bench/peer.ts): the configuration a
// team would start from (the Amber preset, PgSimplifyInflection for readable names, every table of `public`, no
// GraphiQL, no explain), on Node's own http server through grafserv, as the `postgraphile` CLI does.
// Run by the Node 22 binary installed in bench/.peer (PostGraphile v5 needs Node ≥ 22), with the packages
// resolved from there: PEER_DIR=bench/.peer DATABASE_URL=… PORT=… node bench/peer/postgraphile.mjs
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const need = createRequire(join(process.env.PEER_DIR, 'package.json'));
const { postgraphile } = need('postgraphile');
const { PostGraphileAmberPreset } = need('postgraphile/presets/amber');
const { makePgService } = need('postgraphile/adaptors/pg');
const { grafserv } = need('postgraphile/grafserv/node');
const { PgSimplifyInflectionPreset } = need('@graphile/simplify-inflection');

const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'] })],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on('error', (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
await pgl.getSchema();
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => {
  server.close();
  Promise.resolve(pgl.release()).finally(() => process.exit(0));
});
