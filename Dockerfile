# race-triage: the GitHub App server. Build: docker build -t race-triage .
# Run:  docker run -p 3000:3000 -v race-triage-data:/data --env-file .env race-triage

# --- build: compile TypeScript and the native SQLite module --------------------------------
FROM node:22-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm install` honours the committed lock file (`npm ci` trips over jest's optional
# platform packages); its `prepare` script compiles src/ to dist/.
RUN npm install --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies and compiled code only, as a non-root user --------
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    RACE_TRIAGE_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json app.yml ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/src/main.js"]
