'use strict';

/**
 * The integration's own settings: environment variables of the Zapier version (`zapier env:set 1.2.0 NAME=value`),
 * read here and nowhere else. Read at call time so a test can set them around one call.
 */

/**
 * `LEADHOOKS_ALLOW_HTTP=true` lets a connection use an `http://` leadhooks URL: for local testing against a stack on
 * a laptop only. Never set it on a version real users connect with: the site API key would travel in clear text.
 */
function allowsHttpBaseUrl() {
  return process.env.LEADHOOKS_ALLOW_HTTP === 'true';
}

module.exports = { allowsHttpBaseUrl };
