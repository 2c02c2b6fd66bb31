export const OUTBOX_RELAY_SETTINGS = Symbol('OUTBOX_RELAY_SETTINGS');

/** How an app runs its outbox relay (each app maps its validated config onto this). */
export interface OutboxRelaySettings {
  /** Run the relay in this process. */
  enabled: boolean;
  /** For the relay's own LISTEN connection. */
  databaseUrl: string;
  /** Names the LISTEN connection in pg_stat_activity. */
  applicationName: string;
  batchSize: number;
  pollIntervalMs: number;
  /** After a wake-up, wait this long before claiming, so rows committed meanwhile join the batch. */
  lingerMs: number;
  retentionMs: number;
}
