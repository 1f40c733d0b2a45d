// The types every GraphQL resolver and service sees, and the one rule of authorship over them. They live here, below the schema builder and the domains, so
// that nothing low has to import from src/http/ (which builds the context per request) to name them.
import type { Logger } from 'pino';
import type { Role } from '../../prisma/generated/prisma/enums.js';
import type { Config } from './config.js';
import type { Database, PrismaClient } from './db.js';

/** An authenticated caller: the token it presented and what that token allows. */
export interface Viewer {
  tokenId: number;
  name: string;
  role: Role;
  /** The country a FOCAL_POINT is bound to. */
  countryId: number | null;
}

/**
 * Whether the caller is the token that wrote something (`authorTokenId`; null: written by the CLI, nobody's). A field
 * that reads it differs between callers of one visibility class: list it in http/response-cache.ts's
 * UNCACHEABLE_FIELDS.
 */
export function isAuthor(viewer: Viewer | null, authorTokenId: number | null): boolean {
  return authorTokenId !== null && viewer?.tokenId === authorTokenId;
}

/** What the API is built over; one per server (or per test database). */
export interface App {
  config: Config;
  db: Database;
  logger: Logger;
}

export interface Context {
  prisma: PrismaClient;
  viewer: Viewer | null;
  app: App;
}
