# The netfence image: `netfence` as the entrypoint (the Helm chart runs `netfence webhook`).
#
#   docker build -t netfence:0.1.0 .
#   docker run --rm netfence:0.1.0 --version
#
# Node 24 on Debian slim, pinned by tag (bump it with each Node 24 release). Only production dependencies;
# the TypeScript sources run directly (Node strips the types). Runs as the image's non-root user `node`
# (uid 1000) and writes nothing: fit for readOnlyRootFilesystem (NETFENCE_NO_CACHE turns the compile and
# parse caches off). The image build is not exercised in CI (no container engine there): test/admission/
# image.test.ts checks what it copies and runs the same install from a scratch copy.
FROM node:24.22.3-trixie-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24.22.3-trixie-slim
ENV NODE_ENV=production \
    NETFENCE_NO_CACHE=1
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
USER node
ENTRYPOINT ["node", "/app/bin/netfence"]
CMD ["--help"]
