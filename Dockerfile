# syntax=docker/dockerfile:1
# One image for the Convene focus and bridge: `docker run ... convene focus` or `... convene bridge` (the
# command picks the program; every option comes from CONVENE_FOCUS_* / CONVENE_BRIDGE_* or --config). The build
# stage compiles the bridge's native addon (DTLS/SRTP on node's OpenSSL) and the web page; the runtime stage has
# no compiler. deploy/docker/ runs it with Prosody, nginx and coturn; deploy/README.md says what was tested.

FROM node:20-bookworm AS build
WORKDIR /opt/convene
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first (cached while only sources change); npm ci's postinstall builds bridge/native.
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY focus/package.json focus/
COPY bridge/package.json bridge/
COPY web/package.json web/
COPY xmpp-server/package.json xmpp-server/
COPY deploy/local/package.json deploy/local/
COPY bridge/native bridge/native
RUN npm ci --no-audit --no-fund \
 && test -n "$(find bridge/native/build/Release -name '*.node')"
COPY . .
# The runtime keeps the workspaces' dependencies and tsx (a root dependency: the programs run from TypeScript, as
# under systemd); test tools, browsers' drivers and the compiler's objects go.
RUN npm run build:web -- --out /opt/convene/web-dist \
 && npm prune --omit=dev \
 && test -d node_modules/tsx \
 && rm -rf test bench .ci bridge/native/build/Release/obj.target

FROM node:20-bookworm-slim
ENV NODE_ENV=production CONVENE_HOME=/opt/convene
WORKDIR /opt/convene
COPY --from=build --chown=root:root /opt/convene /opt/convene
# Not root: the programs need no privilege (the bridge's media port is above 1024).
USER node
# Bridge: 10000/udp media (public), 9090 colibri-ws (to the web front), 8080 REST and /metrics (private).
# Focus: 8888 health, /metrics, /conference-request/v1 (private but for that one path through the web front).
EXPOSE 10000/udp 9090 8080 8888
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["/opt/convene/deploy/docker/entrypoint.sh"]
CMD ["bridge"]
