# CI only (tools/docker/ci-images.mjs): the stand-in for node:24-bookworm-slim where no container registry answers.
# Debian bookworm (debootstrap, imported as leadhooks-ci/debian:bookworm) + the Node binary the project pins (the npm
# `node` package) + npm, laid out as the official image lays them out: /usr/local/bin/node, a `node` user (uid 1000).
# The machine's CA bundle is trusted so npm reaches the registry through this network's TLS proxy.
ARG DEBIAN_IMAGE=leadhooks-ci/debian:bookworm
FROM ${DEBIAN_IMAGE}
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY node /usr/local/bin/node
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt NODE_VERSION=pinned
CMD ["node"]
