'use strict';

/**
 * How the app talks to a leadhooks API: the connection's base URL (no trailing slash) and its site API key as a
 * bearer token. Every operation builds its URLs with `apiUrl`.
 */

/** `https://leads.example.com/` → `https://leads.example.com`. */
function baseUrl(bundle) {
  return String(bundle.authData.base_url || '')
    .trim()
    .replace(/\/+$/, '');
}

function apiUrl(bundle, path) {
  return `${baseUrl(bundle)}${path}`;
}

/** beforeRequest: the site key on every request, JSON both ways. */
function addApiKey(request, z, bundle) {
  request.headers = request.headers || {};
  if (bundle.authData && bundle.authData.api_key)
    request.headers.Authorization = `Bearer ${bundle.authData.api_key}`;
  request.headers.Accept = 'application/json';
  return request;
}

module.exports = { apiUrl, baseUrl, addApiKey };
