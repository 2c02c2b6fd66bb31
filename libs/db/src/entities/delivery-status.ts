/** State of one event's delivery to one endpoint (SPEC §11). SKIPPED: the endpoint was disabled, unsubscribed or deleted. */
export const DELIVERY_STATUSES = ['PENDING', 'SENT', 'FAILED', 'SKIPPED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
