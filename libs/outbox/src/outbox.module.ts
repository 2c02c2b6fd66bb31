import { Module } from '@nestjs/common';
import { DbModule } from '@leadhooks/db';
import { KafkaModule } from '@leadhooks/messaging';
import { OutboxRelayService } from './outbox-relay.service.js';
import { OutboxWakeup } from './outbox-wakeup.service.js';

/**
 * The outbox relay and its wake-up. The app's config module provides OUTBOX_RELAY_SETTINGS (whether the relay
 * runs in this process, batch sizes, timings).
 */
@Module({
  imports: [DbModule, KafkaModule],
  providers: [OutboxRelayService, OutboxWakeup],
  exports: [OutboxRelayService, OutboxWakeup],
})
export class OutboxModule {}
