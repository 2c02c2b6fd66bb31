/** Delivery state of a lead (SPEC §2). NOT_CONFIGURED: the site had no enabled hook when the lead was handled. */
export const ZAPIER_STATUSES = ['PENDING', 'SENT', 'FAILED', 'NOT_CONFIGURED'] as const;
export type ZapierStatus = (typeof ZAPIER_STATUSES)[number];
