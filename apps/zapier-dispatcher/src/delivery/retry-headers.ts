import { headerText, HEADERS, type KafkaHeaders, type NextStep } from '@leadhooks/contracts';
import type { ConsumedMessage } from '@leadhooks/messaging';
import type { WebhookResult } from '@leadhooks/webhooks';

export interface FailedAttempt {
  attempt: number;
  tier: string;
  at: string;
  status: number | null;
  error: string | null;
}

const MAX_HISTORY = 12;

function readHistory(headers: KafkaHeaders | undefined): FailedAttempt[] {
  try {
    const parsed: unknown = JSON.parse(headerText(headers, HEADERS.history) ?? '[]');
    return Array.isArray(parsed) ? (parsed as FailedAttempt[]).slice(-MAX_HISTORY) : [];
  } catch {
    return [];
  }
}

/** Headers for the message that carries a failed lead to its next tier or to the DLT. */
export function nextTierHeaders(
  consumed: ConsumedMessage,
  attempt: number,
  tier: string,
  result: WebhookResult,
  next: NextStep,
  now: Date,
): Record<string, string> {
  const incoming = consumed.message.headers;
  const history = [
    ...readHistory(incoming),
    { attempt, tier, at: now.toISOString(), status: result.status, error: result.error },
  ].slice(-MAX_HISTORY);
  const headers: Record<string, string> = {
    [HEADERS.attempt]: String(attempt + 1),
    [HEADERS.originalTopic]: headerText(incoming, HEADERS.originalTopic) ?? consumed.topic,
    [HEADERS.originalPartition]: headerText(incoming, HEADERS.originalPartition) ?? String(consumed.partition),
    [HEADERS.originalOffset]: headerText(incoming, HEADERS.originalOffset) ?? consumed.message.offset,
    [HEADERS.firstFailureAt]: headerText(incoming, HEADERS.firstFailureAt) ?? now.toISOString(),
    [HEADERS.lastError]: (result.error ?? 'unknown error').slice(0, 500),
    [HEADERS.lastStatus]: result.status === null ? '' : String(result.status),
    [HEADERS.history]: JSON.stringify(history),
  };
  const replayId = headerText(incoming, HEADERS.replayId);
  if (replayId) headers[HEADERS.replayId] = replayId;
  if (next.kind === 'retry') {
    headers[HEADERS.cycleStep] = String(next.cycleStep);
    headers[HEADERS.dueAt] = String(next.dueAt);
  } else {
    headers[HEADERS.deadLetterReason] = 'exhausted';
  }
  return headers;
}
