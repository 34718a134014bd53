# bkend-dev-proxy in a container. Build: docker build -t bkend-dev-proxy .
# Run:   docker run --rm -p 127.0.0.1:8787:8787 -p 127.0.0.1:8788:8788 -e BKEND_API_KEY bkend-dev-proxy

# Build stage: every dependency (TypeScript included) to compile src/ into dist/.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script, so none gets to run.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY scripts/build.mjs ./scripts/
# tsc keeps its incremental build info in dist/; the image has no use for it.
RUN npm run build && rm -f dist/.tsbuildinfo

# Production dependencies only, in their own stage so no compiler or test tool
# reaches the runtime image. --ignore-scripts again, for the same reason.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# Runtime stage: dist/, production node_modules, the shipped config/ and the inspector page only.
# The files stay owned by root, so the proxy (running as `node`) cannot change its own code.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Inside a container the default loopback bind (127.0.0.1) would be unreachable from
# the host and from other containers, so listen on every interface. The Host check
# still refuses any Host that is not loopback or listed in ALLOWED_HOSTS, and the
# published ports should stay on loopback: -p 127.0.0.1:8787:8787 -p 127.0.0.1:8788:8788.
# The inspector (its page, API and the environment switch) listens on its own port, bound
# where HOST binds.
ENV HOST=0.0.0.0
ENV PORT=8787
ENV INSPECTOR_PORT=8788
# Tells the proxy it runs in a container (systemd's container interface; podman sets it
# itself), so its banner says how to publish on loopback instead of warning about 0.0.0.0.
ENV container=docker
COPY package.json ./
COPY config ./config
# The inspector's page is served as static files (no build step), next to dist/.
COPY inspector-page ./inspector-page
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8787 8788
# The image has no curl: Node's own fetch asks the health route, on whatever PORT is set.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8787) + '/__proxy/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs as PID 1 and handles SIGTERM itself (src/lifecycle/shutdown.ts): `docker stop`
# lets open requests finish for SHUTDOWN_GRACE_MS (5 s), then the proxy exits 0.
CMD ["node", "dist/cli.js"]
