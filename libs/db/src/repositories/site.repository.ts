import { DataSource } from 'typeorm';
import { SecretBox } from '../crypto/secret-box.js';
import { SiteEntity } from '../entities/index.js';
import { uuidv7 } from '../ids/uuid-v7.js';

/** A site with its integration settings opened (decrypted). Never log this object whole. */
export interface Site {
  id: string;
  hostname: string;
  name: string;
  zapier: {
    webhookUrl: string | null;
    enabled: boolean;
    secret: string | null;
    previousSecret: string | null;
    previousSecretExpiresAt: Date | null;
  };
  createdAt: Date;
  updatedAt: Date;
}

export interface NewSite {
  hostname: string;
  name: string;
  webhookUrl: string | null;
  enabled: boolean;
  secret: string;
}

export interface SitePatch {
  name?: string;
  webhookUrl?: string | null;
  enabled?: boolean;
}

/** Sites and their sealed integration settings. */
export class SiteRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {}

  async create(site: NewSite): Promise<Site> {
    const entity = this.dataSource.getRepository(SiteEntity).create({
      id: uuidv7(),
      hostname: site.hostname.toLowerCase(),
      name: site.name,
      zapierWebhookUrlSealed: this.secretBox.sealNullable(site.webhookUrl),
      zapierEnabled: site.enabled,
      zapierSecretSealed: this.secretBox.seal(site.secret),
      zapierPreviousSecretSealed: null,
      zapierPreviousSecretExpiresAt: null,
    });
    return this.open(await this.dataSource.getRepository(SiteEntity).save(entity));
  }

  async findById(id: string): Promise<Site | null> {
    const entity = await this.dataSource.getRepository(SiteEntity).findOneBy({ id });
    return entity ? this.open(entity) : null;
  }

  async findByHostname(hostname: string): Promise<Site | null> {
    const entity = await this.dataSource.getRepository(SiteEntity).findOneBy({ hostname: hostname.toLowerCase() });
    return entity ? this.open(entity) : null;
  }

  async list(): Promise<Site[]> {
    const entities = await this.dataSource.getRepository(SiteEntity).find({ order: { hostname: 'ASC' } });
    return entities.map((entity) => this.open(entity));
  }

  async update(id: string, patch: SitePatch): Promise<Site | null> {
    const changes: Partial<SiteEntity> = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.webhookUrl !== undefined) changes.zapierWebhookUrlSealed = this.secretBox.sealNullable(patch.webhookUrl);
    if (patch.enabled !== undefined) changes.zapierEnabled = patch.enabled;
    if (Object.keys(changes).length) await this.dataSource.getRepository(SiteEntity).update({ id }, changes);
    return this.findById(id);
  }

  /** Installs a new secret and keeps the current one valid until `graceUntil`. */
  async rotateSecret(id: string, newSecret: string, graceUntil: Date): Promise<Site | null> {
    const current = await this.findById(id);
    if (!current) return null;
    await this.dataSource.getRepository(SiteEntity).update(
      { id },
      {
        zapierSecretSealed: this.secretBox.seal(newSecret),
        zapierPreviousSecretSealed: this.secretBox.sealNullable(current.zapier.secret),
        zapierPreviousSecretExpiresAt: graceUntil,
      },
    );
    return this.findById(id);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(SiteEntity).delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /** Opens a raw site row (as selected by SQL elsewhere, e.g. the lead lock). */
  open(entity: SiteEntity): Site {
    return {
      id: entity.id,
      hostname: entity.hostname,
      name: entity.name,
      zapier: {
        webhookUrl: this.secretBox.openNullable(entity.zapierWebhookUrlSealed),
        enabled: entity.zapierEnabled,
        secret: this.secretBox.openNullable(entity.zapierSecretSealed),
        previousSecret: this.secretBox.openNullable(entity.zapierPreviousSecretSealed),
        previousSecretExpiresAt: entity.zapierPreviousSecretExpiresAt,
      },
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
    };
  }
}

/** Secrets a signature must be produced with right now (the current one, plus the previous during its grace). */
export function activeSecrets(site: Site, now = new Date()): string[] {
  const secrets = site.zapier.secret ? [site.zapier.secret] : [];
  const { previousSecret, previousSecretExpiresAt } = site.zapier;
  if (previousSecret && previousSecretExpiresAt && previousSecretExpiresAt > now) secrets.push(previousSecret);
  return secrets;
}
