# syntax=docker/dockerfile:1
# The vecmesh reference node (`vecmesh node`), and the examples, in one multi-stage file.
# Build context: the repository root.
#
#   docker build -f docker/reference-node.Dockerfile -t vecmesh/reference-node .
#   docker run --rm -p 127.0.0.1:7001:7001 -e VECMESH_API_KEY=s3cret vecmesh/reference-node
#
# Stages: `build` (every dependency, the compiled dist/), `examples` (build + examples/, run
# with tsx), `runtime` (the default: production dependencies and dist/ only, as user `node`).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so that a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM build AS examples
COPY examples ./examples
ENV NODE_ENV=production
USER node
CMD ["node", "--import", "tsx", "examples/metrics-server.ts"]

FROM build AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/package.json ./package.json
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The write-ahead log and snapshots live here; mount a volume on it.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 7001
# In a container the node must listen on every interface; pass the API key as VECMESH_API_KEY.
CMD ["node", "dist/cli/main.js", "node", "--host", "0.0.0.0", "--port", "7001", "--data-dir", "/data"]
