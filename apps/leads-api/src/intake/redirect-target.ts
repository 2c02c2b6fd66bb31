import { BadRequestException } from '@nestjs/common';

/**
 * `?redirect=` lets a plain HTML form send the browser back to a thank-you page. Only URLs on the site's own
 * host (or a subdomain) are allowed, so the endpoint cannot be used as an open redirect.
 */
export function redirectTarget(redirect: string | undefined, hostname: string): string | undefined {
  if (redirect === undefined || redirect === '') return undefined;
  let url: URL;
  try {
    url = new URL(redirect);
  } catch {
    throw new BadRequestException({
      message: 'redirect must be an absolute URL',
      errors: [{ field: 'redirect', message: 'not a URL' }],
    });
  }
  const host = url.hostname.toLowerCase();
  const site = hostname.toLowerCase();
  if (!['http:', 'https:'].includes(url.protocol) || (host !== site && !host.endsWith(`.${site}`))) {
    throw new BadRequestException({
      message: `redirect must point to ${site} or one of its subdomains`,
      errors: [{ field: 'redirect', message: 'not on the site host' }],
    });
  }
  return url.toString();
}
