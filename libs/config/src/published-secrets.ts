/**
 * Secrets that were ever published (the old docker-compose defaults) or are placeholders from `.env.example`:
 * a deployment using one is refused at start-up, naming the variable.
 */
const PUBLISHED = new Set(['BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=', 'lh_admin_change_me']);
const PLACEHOLDER = /replace[_-]?me|change[_-]?me|example|placeholder/i;

export function isPublishedSecret(value: string): boolean {
  return PUBLISHED.has(value) || PLACEHOLDER.test(value);
}
