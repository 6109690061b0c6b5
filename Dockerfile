# One image for every role; APP_ROLES chooses what a container runs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY migrations migrations
COPY scripts scripts
COPY dashboard dashboard
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY config config
COPY demo demo
COPY docs/asyncapi.yaml docs/asyncapi.yaml
USER node
EXPOSE 3000 9220
# --max-semi-space-size: see scripts/lib/service-node-flags.ts
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
