import { Injectable, Inject, Logger } from '@nestjs/common';
import { dltTopic, requeueMessage } from '@leadhooks/contracts';
import { DeliveryRepository, type ReplayOutcome, ReplayRepository, type RequeueResult } from '@leadhooks/db';
import type { ReplayItemDto, ReplayResultDto } from './dto/replay-request.dto.js';

const OUTCOMES: Record<RequeueResult, ReplayOutcome> = {
  requeued: 'replayed',
  missing: 'skipped-missing',
  'already-sent': 'skipped-sent',
  'in-flight': 'skipped-in-flight',
};

/**
 * Replays dead-lettered deliveries chosen by id (the console's dead-letter screen): like `npm run dlt -- replay`,
 * each goes back to PENDING with a fresh retry cycle through the delivery lock (never twice after a 2xx), and the
 * run is recorded in the same replay history. The DLT message is not needed: the delivery's event is stored.
 */
@Injectable()
export class AdminReplaysService {
  private readonly log = new Logger(AdminReplaysService.name);

  constructor(
    @Inject(ReplayRepository) private readonly replays: ReplayRepository,
    @Inject(DeliveryRepository) private readonly deliveries: DeliveryRepository,
  ) {}

  async replay(deliveryIds: string[], actor: string): Promise<ReplayResultDto> {
    const replayId = await this.replays.startRun(
      actor,
      { delivery_ids: deliveryIds, via: 'api' },
      false,
      deliveryIds.length,
    );
    const items: ReplayItemDto[] = [];
    for (const [index, deliveryId] of deliveryIds.entries()) {
      const delivery = await this.deliveries.findById(deliveryId);
      let outcome: ReplayOutcome;
      let detail: string | undefined;
      if (!delivery) outcome = 'skipped-missing';
      else if (delivery.status !== 'FAILED' && delivery.status !== 'PENDING') {
        outcome = delivery.status === 'SENT' ? 'skipped-sent' : 'skipped-missing';
        detail = `the delivery is ${delivery.status}`;
      } else {
        try {
          const at = new Date();
          outcome =
            OUTCOMES[
              await this.deliveries.requeue(deliveryId, ({ event, delivery: ref, attemptCount }) =>
                requeueMessage(event, ref, attemptCount, { replay: { replayId, at } }),
              )
            ];
        } catch (error) {
          outcome = 'failed';
          detail = error instanceof Error ? error.message : String(error);
        }
      }
      if (delivery)
        await this.replays.recordItem(replayId, {
          leadId: delivery.leadId,
          deliveryId,
          topic: dltTopic(delivery.eventType),
          // Chosen by delivery, not by DLT message: partition -1, and its place in the run keeps items apart.
          partition: -1,
          offset: String(index),
          outcome,
          detail,
        });
      items.push({ delivery_id: deliveryId, outcome, ...(detail ? { detail } : {}) });
    }
    const counts = {
      replayed: items.filter((item) => item.outcome === 'replayed').length,
      failed: items.filter((item) => item.outcome === 'failed').length,
      skipped: items.filter((item) => item.outcome.startsWith('skipped')).length,
    };
    await this.replays.finishRun(replayId, counts);
    this.log.log({ message: `Replay ${replayId} by ${actor}: ${JSON.stringify(counts)}`, replayId });
    return { id: replayId, selected: deliveryIds.length, ...counts, items };
  }
}
