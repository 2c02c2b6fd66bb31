#!/usr/bin/env node
// `npm run dlt -- list|replay …` (or `node apps/zapier-dispatcher/dist/cli/dlt.js` in the dispatcher image).
import { runDltCli } from './dlt.command.js';

process.exitCode = await runDltCli(process.argv.slice(2));
