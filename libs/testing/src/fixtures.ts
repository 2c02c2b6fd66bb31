import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  buildLeadCreatedEvent,
  DeliveryHeaders,
  type LeadCreatedEvent,
  leadSnapshot,
} from '@leadhooks/contracts';
import {
  type Endpoint,
  EndpointRepository,
  LeadDataKeys,
  LeadKeyRepository,
  LeadRepository,
  type NewEndpoint,
  newLeadFromEvent,
  SecretBox,
  type Site,
  SiteRepository,
  type ZapierStatus,
} from '@leadhooks/db';
import { v7 as uuidv7 } from 'uuid';
import { generateWebhookSecret } from '@leadhooks/webhooks';

/** One fixed key for every test process, so apps started by a test can open what the test sealed. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 11).toString('base64');

/** Lead data keys sealed with the test key, as the apps started by a test seal them. */
export function testLeadKeys(): LeadKeyRepository {
  return new LeadKeyRepository(new LeadDataKeys(new SecretBox(TEST_ENCRYPTION_KEY)));
}

export async function seedSite(
  dataSource: DataSource,
  options: { webhookUrl?: string | null; enabled?: boolean; hostname?: string; name?: string } = {},
): Promise<Site> {
  const sites = new SiteRepository(dataSource, new SecretBox(TEST_ENCRYPTION_KEY));
  const site = await sites.create({
    hostname: options.hostname ?? `site-${randomBytes(4).toString('hex')}.test`,
    name: options.name ?? 'Test Site',
    webhookUrl: options.webhookUrl ?? null,
    enabled: options.enabled ?? Boolean(options.webhookUrl),
    secret: generateWebhookSecret(),
  });
  if (site === 'hostname-taken') throw new Error(`seedSite: hostname ${options.hostname} is taken`);
  return site;
}

/** Adds an endpoint to a site (enabled, lead.created, standard_webhooks and flat unless told otherwise). */
export async function seedEndpoint(
  dataSource: DataSource,
  site: Pick<Site, 'id'>,
  options: Partial<Omit<NewEndpoint, 'siteId'>> & { url: string },
): Promise<Endpoint> {
  const endpoints = new EndpointRepository(dataSource, new SecretBox(TEST_ENCRYPTION_KEY));
  const endpoint = await endpoints.create({
    siteId: site.id,
    name: options.name ?? `endpoint-${randomBytes(3).toString('hex')}`,
    kind: options.kind ?? 'manual',
    url: options.url,
    enabled: options.enabled ?? true,
    events: options.events ?? ['lead.created'],
    auth: options.auth ?? 'standard_webhooks',
    format: options.format ?? 'flat',
    headers: options.headers ?? {},
    timeoutMs: options.timeoutMs ?? null,
    rateLimitPerSecond: options.rateLimitPerSecond ?? null,
    secret: options.secret ?? generateWebhookSecret(),
  });
  if (typeof endpoint === 'string') throw new Error(`seedEndpoint: ${endpoint}`);
  return endpoint;
}

/** The site's `zapier` endpoint (every site has one: its §10 hook). */
export async function zapierEndpointOf(dataSource: DataSource, site: Pick<Site, 'id'>): Promise<Endpoint> {
  const endpoints = await new EndpointRepository(dataSource, new SecretBox(TEST_ENCRYPTION_KEY)).listBySite(
    site.id,
  );
  const zapier = endpoints.find((endpoint) => endpoint.name === 'zapier');
  if (!zapier) throw new Error(`site ${site.id} has no zapier endpoint`);
  return zapier;
}

/** Stores a lead the way intake does (without the outbox row) and returns its lead.created event. */
export async function seedLead(
  dataSource: DataSource,
  site: Site,
  status: ZapierStatus = 'PENDING',
): Promise<LeadCreatedEvent> {
  const id = uuidv7();
  const submittedAt = new Date();
  const event = buildLeadCreatedEvent(
    uuidv7(),
    submittedAt,
    leadSnapshot({
      id,
      siteId: site.id,
      siteHostname: site.hostname,
      submittedAt,
      pageUrl: `https://${site.hostname}/contact`,
      leadSource: 'test',
      formType: 'contact',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: null,
      message: 'Hello',
      extra: { budget: 1000 },
    }),
  );
  await dataSource.transaction((manager) =>
    new LeadRepository(dataSource, testLeadKeys()).insert(
      manager,
      newLeadFromEvent(event, { clientIp: '127.0.0.1', userAgent: 'jest', idempotencyKey: null }),
      status,
    ),
  );
  return event;
}

/** Headers of a first-attempt lead.created message, as the relay publishes it. */
export function firstAttemptHeaders(): Record<string, string> {
  return DeliveryHeaders.firstAttempt();
}
