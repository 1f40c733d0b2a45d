import { GraphQLError } from 'graphql';
import type { YogaInitialContext } from 'graphql-yoga';
import { authenticate } from '../access/tokens.js';
import type { App, Context, Viewer } from '../platform/context.js';

export type { App, Context };

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
