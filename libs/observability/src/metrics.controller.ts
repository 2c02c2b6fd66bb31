import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import { Registry } from 'prom-client';
import { OBSERVABILITY_SETTINGS, type ObservabilitySettings } from './observability.settings.js';

/** The part of the HTTP reply this controller uses (Fastify's and Express's both have it). */
interface ReplyHeaders {
  header(name: string, value: string): unknown;
}

/** GET /metrics in the Prometheus text format; not found here when METRICS_PORT serves it (MetricsServer). */
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(Registry) private readonly registry: Registry,
    @Inject(OBSERVABILITY_SETTINGS) private readonly settings: ObservabilitySettings,
  ) {}

  @Get()
  scrape(@Res({ passthrough: true }) reply: ReplyHeaders): Promise<string> {
    if (this.settings.metricsPort !== null) throw new NotFoundException();
    // Set here rather than with @Header, which would also label the 404's JSON body as text.
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    return this.registry.metrics();
  }
}
