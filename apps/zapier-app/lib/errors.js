'use strict';

const { labelOf } = require('./lead-fields');

/** Seconds Zapier waits before retrying when leadhooks is briefly unavailable and names no Retry-After. */
const UNAVAILABLE_RETRY_SECONDS = 60;

/** The API's JSON error body (`{message, errors}`), or {} for anything else (an HTML page, an empty body). */
function errorBody(response) {
  if (response.data && typeof response.data === 'object' && !Array.isArray(response.data))
    return response.data;
  return {};
}

function apiMessage(response) {
  const { message } = errorBody(response);
  return typeof message === 'string' && message.trim() !== '' ? message.trim() : null;
}

function retryAfterSeconds(response) {
  const value = Number.parseInt(String(response.getHeader('retry-after') ?? ''), 10);
  return Number.isFinite(value) && value > 0 ? value : UNAVAILABLE_RETRY_SECONDS;
}

/**
 * A failed answer from leadhooks, during a Zap run, in words a Zap user can act on; throws the Zapier error that
 * makes the platform do the right thing:
 * - 401: `ExpiredAuthError`: Zapier marks the connection expired and asks the user to reconnect.
 * - 400: each field by the label the user saw ("Email: must be an email address").
 * - 502/503/504: `ThrottledError`, retried by Zapier after Retry-After (or a minute).
 * - a redirect: never followed (the key stays with the address the user connected); the user is told where to.
 * (A 429 never gets here: zapier-platform-core raises its own ThrottledError with the Retry-After first.)
 */
function explainResponse(response, z) {
  const { status } = response;
  if (status < 300) return response;
  if (status < 400) {
    const location = response.getHeader('location');
    throw new z.errors.Error(
      `leadhooks answered with a redirect (${status}${location ? ` to ${location}` : ''}). ` +
        'Reconnect with the address it redirects to as the leadhooks URL.',
      'Redirected',
      status,
    );
  }
  if (status === 401)
    throw new z.errors.ExpiredAuthError(
      'leadhooks no longer accepts the site API key of this connection (revoked, or wrong). ' +
        'Ask your leadhooks admin for a new site API key and reconnect.',
    );
  if (status === 403)
    throw new z.errors.Error(
      `leadhooks refused this with the connected key: ${apiMessage(response) ?? 'not allowed'}.`,
      'Forbidden',
      403,
    );
  const { errors } = errorBody(response);
  if (status === 400 && Array.isArray(errors) && errors.length) {
    const problems = errors.map((error) => `${labelOf(String(error.field))}: ${error.message}`);
    throw new z.errors.Error(problems.join('; '), 'InvalidData', 400);
  }
  if (status === 502 || status === 503 || status === 504)
    throw new z.errors.ThrottledError(
      `leadhooks is unavailable for a moment (${status}); Zapier will try again.`,
      retryAfterSeconds(response),
    );
  throw new z.errors.Error(
    `leadhooks answered ${status}: ${apiMessage(response) ?? 'the request failed'}.`,
    'ApiError',
    status,
  );
}

/**
 * afterResponse: every request is explained by `explainResponse`, except those made with `skipThrowForStatus`,
 * whose caller reads the status itself (the connection test, unsubscribe's "already gone").
 */
function explainErrors(response, z) {
  if (response.skipThrowForStatus) return response;
  return explainResponse(response, z);
}

module.exports = { explainErrors, explainResponse, apiMessage };
