import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { INBOUND_PRESETS, type MappingInput } from '@leadhooks/inbound';
import { KeyedConcurrencyGate } from '@leadhooks/throttling';
import {
  DEFAULT_MAPPING_LIMITS,
  MappingEngine,
  type MappingLimits,
  type MappingResult,
} from '@leadhooks/mapping';
import { LEADS_API_CONFIG } from '../config/config.module.js';
import type { LeadsApiConfig } from '../config/leads-api.config.js';
import { InboundMetrics } from '../metrics/inbound-metrics.js';

/**
 * Evaluates source mappings in the mapping engine's worker processes (bounded in time, depth, sequence, output and
 * memory), each source through its own gate: at most INBOUND_MAPPING_CONCURRENCY_PER_SOURCE of its evaluations in
 * the workers' queue and INBOUND_MAPPING_QUEUE_PER_SOURCE waiting, so a source with a slow mapping (or a flood)
 * delays others by at most its share and is itself told to retry ('busy') beyond it.
 */
@Injectable()
export class InboundMapper implements OnModuleInit, OnModuleDestroy {
  readonly limits: MappingLimits;
  private readonly engine: MappingEngine;
  private readonly gate: KeyedConcurrencyGate;
  private readonly workers: number;

  constructor(
    @Inject(LEADS_API_CONFIG) config: LeadsApiConfig,
    @Inject(InboundMetrics) private readonly metrics: InboundMetrics,
  ) {
    const { workers, timeoutMs, concurrencyPerSource, queuePerSource } = config.inbound.mapping;
    this.limits = { ...DEFAULT_MAPPING_LIMITS, timeoutMs };
    this.workers = workers;
    this.engine = new MappingEngine(this.limits, workers);
    this.gate = new KeyedConcurrencyGate(concurrencyPerSource, queuePerSource);
  }

  async map(gateKey: string, mapping: string, input: MappingInput): Promise<MappingResult | 'busy'> {
    const stop = this.metrics.mappingDuration.startTimer();
    try {
      return await this.gate.run(gateKey, () => this.engine.evaluate(mapping, input));
    } finally {
      stop();
    }
  }

  /**
   * Starts the workers and runs every preset once in each before the app takes requests: a worker's first
   * evaluations run cold (no JIT yet) and could take longer than the time limit, failing a real lead.
   */
  async onModuleInit(): Promise<void> {
    const warmUp: MappingInput = { body: {}, headers: {}, query: {} };
    await Promise.all(
      Array.from({ length: this.workers }, () =>
        Promise.all(INBOUND_PRESETS.map((preset) => this.engine.evaluate(preset.mapping, warmUp))),
      ),
    );
  }

  onModuleDestroy(): Promise<void> {
    return this.engine.close();
  }
}
