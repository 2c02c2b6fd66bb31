import { type DynamicModule, Global, Module } from '@nestjs/common';
import { type LeadsApiConfig, loadLeadsApiConfig } from './leads-api.config.js';

export const LEADS_API_CONFIG = Symbol('LEADS_API_CONFIG');

/** Provides the validated config; tests pass their own object, processes read the environment. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: LeadsApiConfig = loadLeadsApiConfig()): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: LEADS_API_CONFIG, useValue: config }], exports: [LEADS_API_CONFIG] };
  }
}
