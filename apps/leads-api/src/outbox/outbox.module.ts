import { Module } from '@nestjs/common';
import { OutboxRelayService } from './outbox-relay.service.js';
import { OutboxWakeup } from './outbox-wakeup.service.js';

@Module({ providers: [OutboxRelayService, OutboxWakeup], exports: [OutboxRelayService, OutboxWakeup] })
export class OutboxModule {}
