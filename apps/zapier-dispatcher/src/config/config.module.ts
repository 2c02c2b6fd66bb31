import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { DispatcherConfig } from './dispatcher.config.js';

export const DISPATCHER_CONFIG = Symbol('DISPATCHER_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: DispatcherConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: DISPATCHER_CONFIG, useValue: config }], exports: [DISPATCHER_CONFIG] };
  }
}
