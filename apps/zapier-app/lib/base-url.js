'use strict';

const { allowsHttpBaseUrl } = require('./settings');

const EXAMPLE = 'https://leads.example.com';

/**
 * The connection's leadhooks URL, checked before any request carries the key: a full `https://` address (plain
 * `http://` only with LEADHOOKS_ALLOW_HTTP), no user name or password, no query or fragment, no trailing slash.
 * A path is kept (leadhooks behind a proxy at `/leadhooks`), except a trailing `/v1` that the app adds itself.
 * Returns the normalized URL or a sentence telling the user what to type instead.
 */
function checkBaseUrl(raw) {
  const text = String(raw ?? '').trim();
  if (text === '') return { problem: `Enter the address of your leadhooks API, e.g. ${EXAMPLE}.` };
  let url;
  try {
    url = new URL(text);
  } catch {
    return {
      problem: `"${text}" is not a web address. Enter the full address of your leadhooks API, starting with https:// (e.g. ${EXAMPLE}).`,
    };
  }
  const insecureAllowed = allowsHttpBaseUrl();
  if (url.protocol === 'http:' && !insecureAllowed)
    return {
      problem: `The leadhooks URL must start with https://, not http://: your API key is a password and is only sent over HTTPS. Use https://${url.host}${url.pathname === '/' ? '' : url.pathname}.`,
    };
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { problem: `The leadhooks URL must start with https:// (e.g. ${EXAMPLE}).` };
  if (url.username || url.password)
    return {
      problem:
        'Remove the user name and password from the leadhooks URL; the site API key is entered in its own field.',
    };
  if (url.search || url.hash)
    return {
      problem: `Remove "${url.search}${url.hash}" from the leadhooks URL: it is just the address of the API, e.g. ${EXAMPLE}.`,
    };
  let path = url.pathname.replace(/\/+$/, '');
  if (/\/v1$/i.test(path)) path = path.slice(0, -3);
  return { url: `${url.protocol}//${url.host}${path}` };
}

module.exports = { checkBaseUrl, EXAMPLE_BASE_URL: EXAMPLE };
