import { GraphQLError } from 'graphql';
import type { YogaInitialContext } from 'graphql-yoga';
import { authenticateToken } from '../access/tokens.js';
import type { App, Context, Viewer } from '../platform/context.js';

export type { App, Context };

export async function createContext(app: App, { request }: YogaInitialContext): Promise<Context> {
  const header = request.headers.get('authorization');
  let viewer: Viewer | null = null;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const auth = match?.[1] ? await authenticateToken(app.db.prisma, match[1]) : null;
    // A bad token is a mistake to report, not a reason to fall back silently to anonymous access.
    if (!auth?.viewer) {
      const message =
        auth?.reason === 'expired'
          ? `The token in the Authorization header expired at ${auth.expiredAt.toISOString()}; ask an admin for a new one`
          : 'Invalid or revoked token in the Authorization header';
      throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
    viewer = auth.viewer;
  }
  return { prisma: app.db.prisma, viewer, app };
}
