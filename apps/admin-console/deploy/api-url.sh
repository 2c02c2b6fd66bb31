#!/bin/sh
# Writes API_URL into the console page (<meta name="leadhooks-api">) when the container starts.
set -eu
if [ -n "${API_URL:-}" ]; then
  escaped=$(printf '%s' "$API_URL" | sed 's/[&|"<>]//g')
  sed -i "s|<meta name=\"leadhooks-api\" content=\"[^\"]*\"|<meta name=\"leadhooks-api\" content=\"$escaped\"|" /usr/share/nginx/html/index.html
fi
