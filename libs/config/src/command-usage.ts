/**
 * The ops commands (`migrate`, `topics`, `reseal`) take their settings from the environment and no arguments. Asked
 * for help (`--help`, `-h`) they print their usage and exit 0 before reading a setting or touching anything; any
 * other argument is a mistake they refuse (exit 2) rather than ignore.
 */
export function handleCommandArguments(
  usage: string,
  argv: readonly string[] = process.argv.slice(2),
): 'run' | 'help' | 'invalid' {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    return 'help';
  }
  if (argv.length) {
    process.stderr.write(`Unexpected argument(s): ${argv.join(' ')}\n\n${usage.trim()}\n`);
    return 'invalid';
  }
  return 'run';
}

/** `handleCommandArguments`, then exits unless the command should run. */
export function exitUnlessCommandRuns(usage: string): void {
  const outcome = handleCommandArguments(usage);
  if (outcome === 'help') process.exit(0);
  if (outcome === 'invalid') process.exit(2);
}
