import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type LeadEvent, outboundMappingInput, type SiteIdentity } from '@leadhooks/contracts';
import { KeyedConcurrencyGate } from '@leadhooks/throttling';
import { DEFAULT_MAPPING_LIMITS, MappingEngine, type MappingResult } from '@leadhooks/mapping';
import { DISPATCHER_CONFIG } from '../config/config.module.js';
import type { DispatcherConfig } from '../config/dispatcher.config.js';

/**
 * Renders `custom`-format bodies (SPEC §14): the endpoint's JSONata mapping over `outboundMappingInput`, in the
 * mapping engine's workers (bounded in time, depth, sequence, output size and memory), each endpoint through its
 * own gate (OUTBOUND_MAPPING_CONCURRENCY_PER_ENDPOINT running, OUTBOUND_MAPPING_QUEUE_PER_ENDPOINT waiting), so one
 * endpoint's slow mapping delays other endpoints by at most a worker; beyond its queue it is told 'busy'. Workers
 * start with the first custom delivery: a dispatcher without custom endpoints pays nothing for them.
 */
@Injectable()
export class OutboundMapper implements OnModuleDestroy {
  private readonly engine: MappingEngine;
  private readonly gate: KeyedConcurrencyGate;

  constructor(@Inject(DISPATCHER_CONFIG) config: DispatcherConfig) {
    const { workers, timeoutMs, concurrencyPerEndpoint, queuePerEndpoint } = config.outboundMapping;
    this.engine = new MappingEngine({ ...DEFAULT_MAPPING_LIMITS, timeoutMs }, workers);
    this.gate = new KeyedConcurrencyGate(concurrencyPerEndpoint, queuePerEndpoint);
  }

  /** The body the endpoint's mapping makes of this attempt of the event: its exact JSON text, or why not. */
  render(
    endpointId: string,
    mapping: string,
    event: LeadEvent,
    site: SiteIdentity,
    attempt: number,
  ): Promise<MappingResult | 'busy'> {
    const input = outboundMappingInput(event, site, attempt);
    return this.gate.run(endpointId, () => this.engine.evaluate(mapping, input));
  }

  /** Whether the endpoint's mapping queue is full: a render now would be told 'busy'. */
  busy(endpointId: string): boolean {
    return this.gate.full(endpointId);
  }

  onModuleDestroy(): Promise<void> {
    return this.engine.close();
  }
}
