'use strict';

const { checkBaseUrl } = require('./base-url');

/**
 * How the app talks to a leadhooks API: the connection's checked base URL and its site API key as a bearer token.
 * Every operation builds its URLs with `apiUrl`, so a connection whose URL is not acceptable never sends its key.
 */
function apiUrl(z, bundle, path) {
  const { url, problem } = checkBaseUrl(bundle.authData && bundle.authData.base_url);
  // A problem of the connection itself: Zapier marks it expired and asks the user to reconnect it.
  if (problem) throw new z.errors.ExpiredAuthError(`${problem} Reconnect leadhooks with the corrected URL.`);
  return `${url}${path}`;
}

/**
 * beforeRequest: the site key on every request, JSON both ways. Redirects are not followed: the key must not travel
 * to another address than the one the user connected, and a redirect is explained instead (see errors.js).
 */
function addApiKey(request, z, bundle) {
  request.headers = request.headers || {};
  const key = bundle.authData && bundle.authData.api_key;
  if (key) request.headers.Authorization = `Bearer ${String(key).trim()}`;
  request.headers.Accept = 'application/json';
  request.redirect = 'manual';
  return request;
}

module.exports = { apiUrl, addApiKey };
