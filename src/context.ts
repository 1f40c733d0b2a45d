import { GraphQLError } from 'graphql';
import type { YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import { authenticate, type Viewer } from './access.js';
import type { Config } from './config.js';
import type { Database, PrismaClient } from './db.js';

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

export async function createContext(app: App, { request }: YogaInitialContext): Promise<Context> {
  const header = request.headers.get('authorization');
  let viewer: Viewer | null = null;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    viewer = match?.[1] ? await authenticate(app.db.prisma, match[1]) : null;
    // A bad token is a mistake to report, not a reason to fall back silently to anonymous access.
    if (!viewer) {
      throw new GraphQLError('Invalid or revoked token in the Authorization header', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
  }
  return { prisma: app.db.prisma, viewer, app };
}
