import { GraphQLError } from 'graphql';
import type { YogaInitialContext } from 'graphql-yoga';
import { authenticateHeader } from '../access/tokens.js';
import type { App, Context } from '../platform/context.js';

export type { App, Context };

export async function createContext(app: App, { request }: YogaInitialContext): Promise<Context> {
  const { viewer, refused } = await authenticateHeader(app.db.prisma, request.headers.get('authorization'));
  if (refused) throw new GraphQLError(refused, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  return { prisma: app.db.prisma, viewer, app };
}
