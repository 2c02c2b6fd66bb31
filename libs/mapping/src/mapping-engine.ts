import { fileURLToPath } from 'node:url';
import { fork, type ChildProcess } from 'node:child_process';
import { fromJsonataError } from './jsonata-error.js';
import type { MappingError } from './mapping-error.js';
import { DEFAULT_MAPPING_LIMITS, type MappingLimits } from './mapping-limits.js';

/** A mapping's result: the JSON text of the object it produced (what is sent or stored, byte for byte), or why not. */
export type MappingResult = { ok: true; json: string } | { ok: false; error: MappingError };

interface Pending {
  id: number;
  source: string;
  input: unknown;
  resolve: (result: MappingResult) => void;
}

interface Answer {
  id: number;
  ok: boolean;
  json?: string;
  kind?: 'syntax' | 'evaluation' | 'output';
  error?: unknown;
}

/** What the worker process reads from its argument: the limits JSONata enforces by itself. */
interface WorkerLimits {
  timeoutMs: number;
  maxDepth: number;
  maxSequenceLength: number;
  maxOutputBytes: number;
}

interface Slot {
  worker: ChildProcess;
  ready: boolean;
  job: Pending | null;
  watchdog: NodeJS.Timeout | null;
}

// Under the tests this module runs from its .ts source and Node strips the worker's types itself.
const workerFile = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './mapping.worker.ts' : './mapping.worker.js', import.meta.url),
);

/**
 * Evaluates JSONata mappings (SPEC §14) off the caller's process, in a small pool of child processes, each evaluation
 * bounded in time, depth, sequence length, output size and memory. A worker that does not answer in time (stuck in
 * one step, e.g. a catastrophic regular expression) or runs out of memory is killed and replaced, and only that
 * evaluation fails. Evaluations queue in arrival order; each takes at most `timeoutMs` of a worker.
 *
 * Processes, not worker threads: V8 gives a thread that reaches its heap limit only a little room to stop, so one
 * large allocation in a mapping (`$pad("", 1e8)`, a range of ten million numbers) aborts the whole process that owns
 * the thread, and with it every tenant's requests. A child process that aborts takes nothing else with it.
 */
export class MappingEngine {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly limits: MappingLimits = DEFAULT_MAPPING_LIMITS,
    private readonly size = 1,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`MappingEngine needs at least one worker (got ${size})`);
  }

  /** Evaluates `source` against `input`; never throws and never takes much longer than the time limit once started. */
  evaluate(source: string, input: unknown): Promise<MappingResult> {
    if (this.closed) return Promise.resolve(failure('resources', 'the mapping engine is shut down'));
    if (source.length > this.limits.maxSourceLength)
      return Promise.resolve(
        failure(
          'syntax',
          `the mapping is ${source.length} characters long; the limit is ${this.limits.maxSourceLength}`,
        ),
      );
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, source, input, resolve });
      this.pump();
    });
  }

  /** Terminates the workers; queued evaluations fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0))
      pending.resolve(failure('resources', 'the mapping engine is shut down'));
    await Promise.all(
      this.slots.splice(0).map((slot) => {
        if (slot.watchdog) clearTimeout(slot.watchdog);
        slot.job?.resolve(failure('resources', 'the mapping engine is shut down'));
        return stop(slot.worker);
      }),
    );
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((candidate) => candidate.ready && !candidate.job);
      if (!slot) {
        if (this.slots.length < this.size) this.spawn();
        return;
      }
      this.start(slot, this.queue.shift()!);
    }
  }

  private start(slot: Slot, job: Pending): void {
    slot.job = job;
    // JSONata stops itself at timeoutMs between steps; the watchdog covers a single step that never returns.
    slot.watchdog = setTimeout(
      () => this.kill(slot, failure('timeout', this.timeoutMessage())),
      this.watchdogMs(),
    );
    slot.worker.channel?.ref();
    try {
      slot.worker.send({ id: job.id, source: job.source, input: job.input }, (error) => {
        if (error && slot.job === job)
          this.kill(
            slot,
            failure('resources', `the mapping worker could not take the input: ${error.message}`),
          );
      });
    } catch (thrown) {
      // An input that cannot be cloned (a function, a symbol) is the caller's bug, reported as this job's failure.
      this.finish(
        slot,
        failure('evaluation', `the input cannot be passed to the mapping: ${String(thrown)}`),
      );
    }
  }

  private spawn(): void {
    const worker = fork(workerFile, [JSON.stringify(this.workerLimits())], {
      // Only what bounds the child: not the parent's flags (a test runner's, an inspector port) nor its environment
      // (database URLs, keys), which a mapping has no business near.
      execArgv: [
        `--max-old-space-size=${this.limits.workerHeapMb}`,
        '--max-semi-space-size=4',
        '--disable-warning=ExperimentalWarning',
      ],
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    worker.unref();
    worker.channel?.unref();
    const slot: Slot = { worker, ready: false, job: null, watchdog: null };
    this.slots.push(slot);
    worker.on('message', (message: Answer | { ready: true }) => {
      if ('ready' in message) {
        slot.ready = true;
        this.pump();
        return;
      }
      if (!slot.job || slot.job.id !== message.id) return;
      this.finish(slot, toResult(message));
    });
    worker.on('error', (error: Error) =>
      this.kill(slot, failure('resources', `the mapping failed: ${error.message}`)),
    );
    worker.on('exit', (code, signal) =>
      this.kill(
        slot,
        failure(
          'resources',
          // V8 aborts a process that reaches its heap limit (SIGABRT); a worker killed by the watchdog has already
          // been failed with the time limit's message.
          signal === 'SIGABRT' || code === 134
            ? 'the mapping needed more memory than allowed'
            : 'the mapping worker stopped',
        ),
      ),
    );
  }

  private workerLimits(): WorkerLimits {
    return {
      timeoutMs: this.limits.timeoutMs,
      maxDepth: this.limits.maxDepth,
      maxSequenceLength: this.limits.maxSequenceLength,
      maxOutputBytes: this.limits.maxOutputBytes,
    };
  }

  private finish(slot: Slot, result: MappingResult): void {
    if (slot.watchdog) clearTimeout(slot.watchdog);
    slot.watchdog = null;
    const job = slot.job;
    slot.job = null;
    slot.worker.channel?.unref();
    job?.resolve(result);
    this.pump();
  }

  /** Fails the slot's job (if any), removes the slot and replaces it when work waits. */
  private kill(slot: Slot, result: MappingResult): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    this.slots.splice(index, 1);
    if (slot.watchdog) clearTimeout(slot.watchdog);
    slot.job?.resolve(result);
    slot.job = null;
    void stop(slot.worker);
    if (this.closed) return;
    // A worker that died before it was ready (it could not load) would die again: fail what waits instead of looping.
    if (!slot.ready) for (const pending of this.queue.splice(0)) pending.resolve(result);
    else this.pump();
  }

  private watchdogMs(): number {
    return this.limits.timeoutMs + Math.max(50, this.limits.timeoutMs);
  }

  private timeoutMessage(): string {
    return `the mapping ran longer than ${this.limits.timeoutMs} ms`;
  }
}

/** Kills a worker process at once (it holds nothing worth a graceful stop) and resolves when it is gone. */
function stop(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    worker.kill('SIGKILL');
  });
}

function failure(kind: MappingError['kind'], message: string): MappingResult {
  return { ok: false, error: { kind, message } };
}

function toResult(answer: Answer): MappingResult {
  if (answer.ok && typeof answer.json === 'string') return { ok: true, json: answer.json };
  return { ok: false, error: fromJsonataError(answer.error, answer.kind ?? 'evaluation') };
}
