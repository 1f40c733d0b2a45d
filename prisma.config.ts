// Prisma 7 CLI configuration. The hub applies migrations itself (src/migrate.ts, WASM schema engine), so the
// CLI only needs the schema and migration paths; the URL matters only for `prisma migrate deploy` on a server.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/migstat' },
});
