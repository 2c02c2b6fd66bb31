# CI only (tools/docker/ci-images.mjs): the stand-in for nginx:1.27-alpine where no container registry answers.
# Debian's nginx on the debootstrapped bookworm, with what the official image adds around it: an `nginx` user with
# uid 101, /usr/share/nginx/html, and /docker-entrypoint.sh running /docker-entrypoint.d/*.sh before nginx.
ARG DEBIAN_IMAGE=leadhooks-ci/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light wget \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
 && groupadd --system --gid 101 nginx && useradd --system --uid 101 --gid nginx --no-create-home nginx \
 && mkdir -p /usr/share/nginx/html /docker-entrypoint.d \
 && printf '%s\n' '#!/bin/sh' 'set -e' 'for f in /docker-entrypoint.d/*.sh; do [ -x "$f" ] && "$f"; done' 'exec "$@"' \
      > /docker-entrypoint.sh && chmod +x /docker-entrypoint.sh
ENTRYPOINT ["/docker-entrypoint.sh"]
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
