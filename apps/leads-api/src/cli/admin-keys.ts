#!/usr/bin/env node
// `npm run admin-keys -- create <name> | rotate <id> | revoke <id> | list`: admin API keys, shown once.
import { Command, CommanderError } from 'commander';
import { EnvReader } from '@leadhooks/config';
import { ApiKeyRepository, createDataSource } from '@leadhooks/db';

const env = new EnvReader();
const databaseUrl = env.url('DATABASE_URL', ['postgres:', 'postgresql:']);
async function withKeys<T>(work: (keys: ApiKeyRepository) => Promise<T>): Promise<T> {
  env.done();
  const dataSource = createDataSource({
    url: databaseUrl,
    poolSize: 1,
    applicationName: 'leadhooks-admin-keys',
  });
  await dataSource.initialize();
  try {
    return await work(new ApiKeyRepository(dataSource));
  } finally {
    await dataSource.destroy();
  }
}

const program = new Command('admin-keys').description('Manage admin API keys').exitOverride();
program
  .command('create <name>')
  .description('create a key (printed once; store it now)')
  .action((name: string) =>
    withKeys(async (keys) => {
      const { key, info } = await keys.create(name);
      console.log(`Created key ${info.id} (${info.name}). It is shown only now:\n${key}`);
    }),
  );
program
  .command('rotate <id>')
  .description('revoke a key and issue its replacement')
  .action((id: string) =>
    withKeys(async (keys) => {
      const rotated = await keys.rotate(id);
      if (!rotated) throw new Error(`No active key ${id}`);
      console.log(`Revoked ${id}; new key ${rotated.info.id}. It is shown only now:\n${rotated.key}`);
    }),
  );
program
  .command('revoke <id>')
  .description('revoke a key at once')
  .action((id: string) =>
    withKeys(async (keys) => {
      if (!(await keys.revoke(id))) throw new Error(`No active key ${id}`);
      console.log(`Revoked ${id}`);
    }),
  );
program
  .command('list')
  .description('list keys (never their secrets)')
  .action(() =>
    withKeys(async (keys) => {
      for (const key of await keys.list()) {
        console.log(
          `${key.id}  ${key.name.padEnd(20)}  lh_${key.prefix}_…  ${key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active'}`,
        );
      }
    }),
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.code === 'commander.helpDisplayed' ? 0 : 2);
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
