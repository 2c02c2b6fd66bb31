/** The broker's answers to a message, or a partition's batch, over its size limit (message.max.bytes). */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Whether a failed send was refused for its size: resending it unchanged can never succeed. kafkajs wraps the
 * broker's error (KafkaJSNonRetriableError, the protocol error as its `cause`), so the causes are followed.
 */
export function isMessageTooLarge(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if (TOO_LARGE.has(String((cause as { type?: unknown }).type))) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
