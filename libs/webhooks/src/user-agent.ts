import { createRequire } from 'node:module';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** `user-agent` of every request we send: leadhooks/<version of this package>. */
export const USER_AGENT = `leadhooks/${version}`;
