import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '@leadhooks/testing';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type AppName = 'leads-api' | 'zapier-dispatcher';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A built app (apps/<name>/dist/main.js) running as its own process, as it is deployed. */
export class AppProcess {
  readonly output: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: AppName,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static async start(
    name: AppName,
    env: Record<string, string>,
    { startTimeoutMs = 90_000 } = {},
  ): Promise<AppProcess> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--disable-warning=TimeoutNegativeWarning', path.join(repoRoot, 'apps', name, 'dist', 'main.js')],
      {
        env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const app = new AppProcess(name, port, child);
    try {
      await waitUntil(
        `${name} to answer /health/live`,
        async () => {
          if (child.exitCode !== null)
            throw new Error(`${name} exited with ${child.exitCode}:\n${app.output.join('')}`);
          try {
            return (await fetch(`${app.url}/health/live`)).ok || undefined;
          } catch {
            return undefined;
          }
        },
        // Generous: on a loaded 2-core machine loading the modules alone has taken 20+ s.
        { timeoutMs: startTimeoutMs, intervalMs: 100 },
      );
    } catch (error) {
      child.kill('SIGKILL');
      // What the app said before it failed to answer is what explains it.
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n${app.output.join('').slice(-4000)}`,
      );
    }
    return app;
  }

  /** The exit code once the process has exited, else null. */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sends a signal (SIGSTOP freezes the process, SIGCONT thaws it). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** kill -9: no shutdown hooks, no offset commit, nothing. */
  async crash(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then wait for the process to exit. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
