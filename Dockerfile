# syntax=docker/dockerfile:1
# The bot in a container. Stages:
#   build    every dependency (dev ones too) and the generated Prisma client
#   tools    the source on top of build: `prisma migrate deploy` (compose service migrate) and
#            the test suite (compose profile test, which adds the Postgres client tools)
#   runtime  production dependencies only (npm ci --omit=dev), the generated client, non-root
# hadolint is not available on this project's machines; see README, "The bot in a container".

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# prisma generate (the postinstall) reads the schema and prisma.config.ts, which imports prisma/*.ts.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund

FROM build AS tools
COPY . .
RUN chown -R node:node /app
USER node
CMD ["npx", "prisma", "migrate", "deploy"]

FROM tools AS test
USER root
# The backup round trip runs pg_dump/pg_restore of at least the server's major version (16 in
# docker-compose.yml); Debian's own client is older, so it comes from the PostgreSQL apt repository.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-16 \
 && rm -rf /var/lib/apt/lists/*
USER node
CMD ["npm", "test"]

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: the postinstall (prisma generate) needs the prisma CLI, a dev dependency; the
# client it generated in the build stage is copied below instead.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/node_modules/.prisma ./node_modules/.prisma
COPY package.json tsconfig.json ./
COPY src ./src
COPY adapters ./adapters
COPY prisma ./prisma
COPY assets ./assets
# .data holds a generated data key (and the embedded database when DATABASE_URL is unset).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (no npm, no shell), so SIGTERM reaches the bot's graceful shutdown.
# The role: add --role=web or --role=worker (compose does for web and worker).
ENTRYPOINT ["node", "--import", "tsx", "src/main.ts"]
CMD ["--role=all"]
