import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import readline from 'node:readline/promises';
import cliProgress from 'cli-progress';
import { EnvReader } from '@leadhooks/config';
import { EVENT_TYPES, type EventType, TopicNames } from '@leadhooks/contracts';
import {
  createDataSource,
  DeliveryRepository,
  LeadDataKeys,
  LeadKeyRepository,
  LeadRepository,
  readEncryptionKeys,
  ReplayRepository,
  secretBoxFor,
} from '@leadhooks/db';
import { createKafka, readKafkaConnection } from '@leadhooks/messaging';
import type { DeadLetterFilter } from '../dlt/dead-letter.js';
import type { ListedDeadLetter } from '../dlt/dead-letter.js';
import { DltReplayService } from '../dlt/dlt-replay.service.js';
import { defaultReplayActor } from './replay-actor.js';

/** Exit codes: 0 ok, 1 some replays failed or an error, 2 bad usage. */
const EXIT_USAGE = 2;

function parseTime(value: string): Date {
  const relative = /^(\d+)(m|h|d)$/.exec(value);
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return new Date(Date.now() - Number(relative[1]) * unit);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidArgumentError('expected an ISO date/time or an age like 30m, 12h, 7d');
  return date;
}

function parseUuid(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
    throw new InvalidArgumentError('expected an id (uuid)');
  return value.toLowerCase();
}

function parseEvent(value: string): EventType {
  if (!(EVENT_TYPES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${EVENT_TYPES.join(', ')}`);
  return value as EventType;
}

interface FilterOptions {
  event?: EventType;
  site?: string;
  lead?: string;
  endpoint?: string;
  since?: Date;
  until?: Date;
  error?: string;
}

function withFilters(command: Command): Command {
  return command
    .option('--event <type>', `only this event's DLT (${EVENT_TYPES.join(', ')}; all by default)`, parseEvent)
    .option('--site <hostname-or-id>', 'only leads of this site')
    .option('--lead <id>', 'only this lead', parseUuid)
    .option('--endpoint <id>', 'only deliveries to this endpoint', parseUuid)
    .option('--since <time>', 'dead-lettered at or after (ISO time or age: 30m, 12h, 7d)', parseTime)
    .option('--until <time>', 'dead-lettered at or before (ISO time or age)', parseTime)
    .option('--error <text>', 'last error contains this text (case-insensitive)');
}

function filterOf(options: FilterOptions): DeadLetterFilter {
  return {
    event: options.event,
    site: options.site,
    lead: options.lead,
    endpoint: options.endpoint,
    since: options.since,
    until: options.until,
    error: options.error,
  };
}

function describeFilter(options: FilterOptions & { all?: boolean }): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({ ...filterOf(options), all: options.all })
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]),
  );
}

function printTable(letters: ListedDeadLetter[], out: NodeJS.WritableStream): void {
  const rows = letters.map((l) => [
    l.eventType,
    l.leadId ?? '?',
    l.endpointId ?? '-',
    l.status ?? '?',
    l.siteHostname ?? '?',
    l.attempts === null ? '-' : String(l.attempts),
    l.firstFailureAt ?? '-',
    `${l.partition}:${l.offset}`,
    l.replayedAt ? l.replayedAt.toISOString() : '-',
    (l.lastError ?? l.reason ?? '').slice(0, 60),
  ]);
  const header = [
    'EVENT',
    'LEAD',
    'ENDPOINT',
    'STATUS',
    'SITE',
    'ATTEMPTS',
    'FIRST FAILURE',
    'DLT OFFSET',
    'REPLAYED',
    'LAST ERROR',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows])
    out.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    );
  out.write(`${letters.length} dead-lettered message(s)\n`);
}

export interface CliIo {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
  isInteractive: boolean;
  confirm: (question: string) => Promise<boolean>;
}

const defaultIo: CliIo = {
  out: process.stdout,
  err: process.stderr,
  isInteractive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  confirm: async (question) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  },
};

function connect(): { service: DltReplayService; close: () => Promise<void>; init: () => Promise<void> } {
  const env = new EnvReader();
  const databaseUrl = env.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const connection = readKafkaConnection(env);
  const prefix = env.string('KAFKA_TOPIC_PREFIX', '');
  // A replay writes each lead's event sealed under its data key, itself sealed with this key (docs/privacy.md).
  const encryptionKeys = readEncryptionKeys(env);
  env.done();
  if (!encryptionKeys.current)
    throw new Error("DATA_ENCRYPTION_KEY is required (the apps' key: it opens each lead's data key)");
  const leadKeys = new LeadKeyRepository(new LeadDataKeys(secretBoxFor(encryptionKeys)));
  const dataSource = createDataSource({
    url: databaseUrl,
    poolSize: 2,
    applicationName: 'leadhooks-dlt-cli',
  });
  const kafka = createKafka({ ...connection, clientId: 'leadhooks-dlt-cli' }, (level, message) => {
    if (level === 'error' && !/coordinator/i.test(message)) process.stderr.write(`${message}\n`);
  });
  return {
    service: new DltReplayService(
      kafka,
      new TopicNames(prefix),
      new ReplayRepository(dataSource),
      new DeliveryRepository(dataSource, leadKeys),
      new LeadRepository(dataSource, leadKeys),
    ),
    init: async () => void (await dataSource.initialize()),
    close: async () => void (dataSource.isInitialized && (await dataSource.destroy())),
  };
}

/** Builds the `dlt` program. `run` returns the exit code instead of exiting, so tests can drive it. */
export async function runDltCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('dlt')
    .description('Inspect and replay dead-lettered deliveries (lead.created.dlt and lead.updated.dlt)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  withFilters(
    program
      .command('list')
      .description('show what is in the DLTs (deliveries that succeeded since are left out)'),
  )
    .option('--all', 'also show dead letters whose delivery has succeeded since (SENT)')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: FilterOptions & { json?: boolean; all?: boolean }) => {
      const { service, init, close } = connect();
      await init();
      try {
        const letters = await service.list(filterOf(options), { includeSent: options.all === true });
        if (options.json)
          io.out.write(
            `${JSON.stringify(
              letters.map(({ event: _event, ...rest }) => rest),
              null,
              2,
            )}\n`,
          );
        else printTable(letters, io.out);
      } finally {
        await close();
      }
    });

  withFilters(program.command('replay').description('send dead-lettered deliveries back through delivery'))
    .option('--all', 'replay everything in the DLTs (required when no filter is given)')
    .option('--dry-run', 'show what would be replayed and change nothing')
    .option('--yes', 'do not ask for confirmation')
    .addOption(
      new Option(
        '--actor <name>',
        'who is replaying (recorded; default LEADHOOKS_ACTOR, else the OS user, else uid:<n>)',
      ).default(defaultReplayActor()),
    )
    .action(
      async (options: FilterOptions & { all?: boolean; dryRun?: boolean; yes?: boolean; actor: string }) => {
        const filter = filterOf(options);
        if (!options.all && Object.values(filter).every((value) => value === undefined)) {
          throw new CommanderError(
            EXIT_USAGE,
            'dlt.scope',
            'error: say what to replay: a filter (--event, --lead, --site, --endpoint, --since, --until, --error) or --all\n',
          );
        }
        const { service, init, close } = connect();
        await init();
        try {
          const selected = await service.select(filter);
          io.out.write(
            `${selected.length} lead(s) selected for replay${options.dryRun ? ' (dry run: nothing will change)' : ''}\n`,
          );
          if (options.dryRun) {
            for (const letter of selected)
              io.out.write(
                `  would replay ${letter.leadId} (${letter.siteHostname}, ${letter.eventType}${letter.endpointId ? ` to endpoint ${letter.endpointId}` : ''}, DLT ${letter.topic} ${letter.partition}:${letter.offset})\n`,
              );
            return;
          }
          if (!selected.length) return;
          if (!options.yes) {
            if (!io.isInteractive)
              throw new CommanderError(
                EXIT_USAGE,
                'dlt.confirm',
                'error: not a terminal; pass --yes to replay without confirmation\n',
              );
            if (!(await io.confirm(`Replay ${selected.length} lead(s)?`))) {
              io.out.write('Nothing replayed.\n');
              return;
            }
          }
          const bar = io.out.isTTY
            ? new cliProgress.SingleBar(
                {
                  format:
                    'replaying [{bar}] {value}/{total}  replayed {replayed}  skipped {skipped}  failed {failed}',
                  stream: io.out,
                },
                cliProgress.Presets.shades_classic,
              )
            : undefined;
          bar?.start(selected.length, 0, { replayed: 0, skipped: 0, failed: 0 });
          const summary = await service.replay(selected, {
            actor: options.actor,
            filter: describeFilter(options),
            dryRun: false,
            onProgress: (p) => {
              if (bar) bar.update(p.done, { replayed: p.replayed, skipped: p.skipped, failed: p.failed });
              else
                io.out.write(
                  `[${p.done}/${p.total}] replayed ${p.replayed}, skipped ${p.skipped}, failed ${p.failed}\n`,
                );
            },
          });
          bar?.stop();
          for (const item of summary.items.filter((i) => i.outcome !== 'replayed')) {
            io.out.write(
              `  ${item.outcome}: ${item.letter.leadId} (${item.letter.eventType})${item.detail ? ` (${item.detail})` : ''}\n`,
            );
          }
          io.out.write(
            `Replay ${summary.replayId}: replayed ${summary.replayed}, skipped ${summary.skipped} (already SENT or in flight), failed ${summary.failed}\n`,
          );
          if (summary.failed > 0) exitCode = 1;
        } finally {
          await close();
        }
      },
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help' ||
        error.code === 'commander.version'
      )
        return 0;
      if (error.code.startsWith('dlt.')) io.err.write(error.message);
      return EXIT_USAGE;
    }
    io.err.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  return exitCode;
}
