import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type LeadEvent, outboundMappingInput, type SiteIdentity } from '@leadhooks/contracts';
import { KeyedConcurrencyGate } from '@leadhooks/throttling';
import {
  checkMappingSyntax,
  DEFAULT_MAPPING_LIMITS,
  type MappingError,
  MappingEngine,
  type MappingLimits,
  type MappingResult,
} from '@leadhooks/mapping';
import { LEADS_API_CONFIG } from '../../config/config.module.js';
import type { LeadsApiConfig } from '../../config/leads-api.config.js';

/** Previews and test sends running at once per site, and waiting; beyond that the caller is told 'busy'. */
const PER_SITE_RUNNING = 1;
const PER_SITE_WAITING = 10;

/**
 * Outbound mappings (SPEC §14) as the admin API meets them: the syntax check when an endpoint is saved, and the
 * rendering of a body for a preview or a test send, in the mapping engine's workers (bounded in time, depth,
 * sequence, output size and memory; started with the first use), at most PER_SITE_RUNNING per site at once.
 */
@Injectable()
export class OutboundMappingService implements OnModuleDestroy {
  readonly limits: MappingLimits;
  private readonly engine: MappingEngine;
  private readonly gate = new KeyedConcurrencyGate(PER_SITE_RUNNING, PER_SITE_WAITING);

  constructor(@Inject(LEADS_API_CONFIG) config: LeadsApiConfig) {
    this.limits = { ...DEFAULT_MAPPING_LIMITS, timeoutMs: config.outboundMapping.timeoutMs };
    this.engine = new MappingEngine(this.limits, config.outboundMapping.workers);
  }

  /** Why a mapping cannot be saved (empty, too long, does not parse, with JSONata's position), or null. */
  syntaxProblem(mapping: string): MappingError | null {
    return checkMappingSyntax(mapping, this.limits);
  }

  /** The body `mapping` makes of this event for this site: the exact JSON text that would be sent, or why not. */
  render(
    mapping: string,
    event: LeadEvent,
    site: SiteIdentity,
    attempt = 1,
  ): Promise<MappingResult | 'busy'> {
    const input = outboundMappingInput(event, site, attempt);
    return this.gate.run(site.id, () => this.engine.evaluate(mapping, input));
  }

  onModuleDestroy(): Promise<void> {
    return this.engine.close();
  }
}
