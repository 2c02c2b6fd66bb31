'use strict';

const { labelOf } = require('./lead-fields');

/**
 * afterResponse: the API's answers in words a Zap user can act on. A 400 lists each field by its label ("Email: must
 * be an email address"); a refused key says to reconnect; other failures keep the API's own message. Searches and
 * reads let a 404 through (an empty search is not an error).
 */
function explainErrors(response, z) {
  if (response.status < 400) return response;
  if (response.status === 404 && response.request.method === 'GET') return response;
  let body = {};
  try {
    body =
      typeof response.json === 'object' && response.json !== null
        ? response.json
        : JSON.parse(response.content);
  } catch {
    body = {};
  }
  if (response.status === 401)
    throw new z.errors.Error(
      'leadhooks refused the API key (wrong, revoked, or not a site key). Make a new site API key and reconnect.',
      'AuthenticationError',
      401,
    );
  if (response.status === 403)
    throw new z.errors.Error(
      `leadhooks refused this with the connected key: ${body.message || 'forbidden'}. Connect a site API key (lh_site_…).`,
      'Forbidden',
      403,
    );
  if (response.status === 400 && Array.isArray(body.errors) && body.errors.length) {
    const problems = body.errors.map((error) => `${labelOf(String(error.field))}: ${error.message}`);
    throw new z.errors.Error(problems.join('; '), 'InvalidData', 400);
  }
  if (response.status === 429 || response.status >= 500)
    throw new z.errors.ThrottledError(
      `leadhooks is busy or unavailable (${response.status}); Zapier will try again.`,
      60,
    );
  throw new z.errors.Error(
    body.message ? String(body.message) : `leadhooks answered ${response.status}`,
    'ApiError',
    response.status,
  );
}

module.exports = { explainErrors };
