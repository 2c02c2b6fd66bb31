'use strict';

const { checkBaseUrl, EXAMPLE_BASE_URL } = require('./base-url');
const { apiMessage } = require('./errors');

const URL_HINT = `It is the address of your leadhooks API, e.g. ${EXAMPLE_BASE_URL}, without a path such as /v1.`;

/** Why a request did not reach the server at all (DNS, refused, TLS), in words. */
function unreachable(base, error) {
  const code = error && (error.code || (error.cause && error.cause.code));
  const host = new URL(base).host;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `There is no server named ${host}. Check the leadhooks URL. ${URL_HINT}`;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH')
    return `${host} did not accept the connection (${code}). Check the leadhooks URL, or try again if leadhooks is restarting.`;
  if (code && /CERT|SSL|TLS/.test(String(code)))
    return `${host} did not present a valid HTTPS certificate (${code}). Ask your leadhooks admin to fix its certificate.`;
  return `Could not reach ${host}${code ? ` (${code})` : ''}. Check the leadhooks URL. ${URL_HINT}`;
}

/** The `/v1/me` answer when it is what leadhooks sends, else null (an HTML page, someone else's JSON). */
function identityOf(response) {
  const data = response.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const { site_id: siteId, hostname, name, key_name: keyName } = data;
  if (typeof siteId !== 'string' || typeof hostname !== 'string') return null;
  return {
    site_id: siteId,
    hostname,
    name: typeof name === 'string' ? name : hostname,
    key_name: typeof keyName === 'string' ? keyName : '',
  };
}

/** Every answer of `/v1/me` that is not "this site key is fine", as the sentence the user sees. */
function refusal(response, base) {
  const { status } = response;
  const host = new URL(base).host;
  if (status === 401)
    return (
      `leadhooks at ${host} refused this API key: it is wrong, revoked, or from another leadhooks server. ` +
      'Paste a current site API key (it starts with lh_site_); your leadhooks admin can make one.'
    );
  if (status === 403)
    return (
      'This is an admin API key. Zapier connects with a site API key (it starts with lh_site_), which acts for ' +
      'one site only: ask your leadhooks admin for one.'
    );
  if (status === 404)
    return `No leadhooks API answers at ${base} (${base}/v1/me: 404). Check the leadhooks URL. ${URL_HINT}`;
  if (status >= 300 && status < 400) {
    const location = response.getHeader('location');
    return `${base} redirects${location ? ` to ${location}` : ''} (${status}). Use the address leadhooks really answers at as the leadhooks URL.`;
  }
  if (status >= 500)
    return `leadhooks at ${host} is not answering properly right now (${status}). Try again in a few minutes.`;
  if (status >= 400) return `leadhooks at ${host} answered ${status}: ${apiMessage(response) ?? 'refused'}.`;
  return `${base} answered, but not as leadhooks does (it sent ${describeBody(response)}). Check the leadhooks URL. ${URL_HINT}`;
}

function describeBody(response) {
  const type = String(response.getHeader('content-type') ?? '');
  if (type.includes('html')) return 'a web page';
  if (response.data !== undefined) return 'JSON that is not a leadhooks answer';
  return 'something that is not JSON';
}

/**
 * The connection test: `GET /v1/me` with the key, explaining every way it can fail (a bad URL, an unreachable
 * server, a wrong or admin key, a web page instead of the API) in one sentence that says what to do. Its answer
 * (site id, hostname, name, key name) labels the connection.
 */
async function testConnection(z, bundle) {
  const { url: base, problem } = checkBaseUrl(bundle.authData.base_url);
  if (problem) throw new z.errors.Error(problem, 'InvalidBaseUrl', 400);
  if (!String(bundle.authData.api_key ?? '').trim())
    throw new z.errors.Error('Paste your site API key (it starts with lh_site_).', 'MissingApiKey', 400);
  let response;
  try {
    response = await z.request({ url: `${base}/v1/me`, skipThrowForStatus: true });
  } catch (error) {
    if (error instanceof z.errors.ThrottledError) throw error;
    throw new z.errors.Error(unreachable(base, error), 'Unreachable', 502);
  }
  const identity = response.status === 200 ? identityOf(response) : null;
  if (!identity) throw new z.errors.Error(refusal(response, base), 'ConnectionRefused', response.status);
  return identity;
}

/** "Acme (acme.example.com), key Zapier": which site, on a server, a connection acts for. */
function connectionLabel(z, bundle) {
  const me = bundle.inputData || {};
  if (!me.hostname) return '';
  const site = me.name && me.name !== me.hostname ? `${me.name} (${me.hostname})` : me.hostname;
  return me.key_name ? `${site}, key ${me.key_name}` : site;
}

module.exports = { testConnection, connectionLabel, unreachable };
