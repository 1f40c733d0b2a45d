# syntax=docker/dockerfile:1
# Migration Statistics Hub. Multi-stage: install → prisma generate → compile → production dependencies only.
# Without DATABASE_URL the hub keeps an embedded PGlite database in the /data volume; with it, it uses PostgreSQL.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# postinstall runs `prisma generate`, which needs the schema and the wrapper script.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma/schema.prisma ./prisma/schema.prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json codegen.yml schema.graphql ./
COPY src ./src
COPY web ./web
# Compiles the server and builds the web app (web/dist) before dev dependencies (Vite, codegen) are pruned.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# SHUTDOWN_TIMEOUT_MS: the drain ends 2 s inside `docker stop`'s default 10 s grace, leaving time to close the
# database (PGlite's files) before Docker's SIGKILL.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    PGLITE_DATA_DIR=/data/pglite \
    SHUTDOWN_TIMEOUT_MS=8000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY package.json ./
COPY bin ./bin
COPY prisma/schema.prisma ./prisma/schema.prisma
COPY prisma/migrations ./prisma/migrations
COPY data ./data
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
# Asks the address the server listens on: loopback when it listens on every interface, else HOST itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "const h = process.env.HOST; const host = !h || h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? '[' + h + ']' : h; fetch('http://' + host + ':' + (process.env.PORT || 4000) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# Migrates (and seeds an empty database) on start; SIGTERM drains and closes the database.
CMD ["node", "bin/migstat.mjs", "serve"]
