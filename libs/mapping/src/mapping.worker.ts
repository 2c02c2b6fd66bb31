// The evaluation side of MappingEngine, run in a child process so that no mapping can block or exhaust the process
// that asked for it: JSONata's own guards stop long or deep evaluations, and the engine kills a worker stuck inside
// one step (a catastrophic regular expression); a worker out of memory aborts alone. Self-contained on purpose: Node
// runs this file as it is (type stripping) under the tests, so it imports nothing of ours.
import jsonata from 'jsonata';

interface WorkerLimits {
  timeoutMs: number;
  maxDepth: number;
  maxSequenceLength: number;
  maxOutputBytes: number;
}

interface Job {
  id: number;
  source: string;
  input: unknown;
}

type Expression = ReturnType<typeof jsonata>;

const limits = JSON.parse(process.argv[2] ?? 'null') as WorkerLimits;
const send = process.send?.bind(process);
if (!send || !limits) throw new Error('mapping.worker runs as a child process of MappingEngine');
// The parent gone, nothing is left to answer: exit rather than linger.
process.on('disconnect', () => process.exit(0));

/** Compiled expressions by source; mappings change rarely, so a small bound keeps every live one. */
const MAX_COMPILED = 500;
const compiled = new Map<string, Expression>();

function compile(source: string): Expression {
  let expression = compiled.get(source);
  if (expression) {
    compiled.delete(source);
    compiled.set(source, expression); // most recently used last
    return expression;
  }
  expression = jsonata(source, {
    timeout: limits.timeoutMs,
    stack: limits.maxDepth,
    sequence: limits.maxSequenceLength,
  });
  // $eval would evaluate a second expression outside the guards above.
  expression.registerFunction(
    'eval',
    () => {
      // Thrown as JSONata throws its own errors (a plain object with a code), so it is reported the same way.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: 'LH001', message: '$eval is not available in mappings' };
    },
    '<x-:x>',
  );
  // Tools that nest a submission as JSON text inside a form field (Jotform's `rawRequest`) need it parsed; JSON.parse
  // is linear in the text, which the caller already bounds, and the value it returns is plain data.
  expression.registerFunction(
    'parseJson',
    (text: string | undefined) => {
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch (thrown) {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw {
          code: 'LH002',
          message: `$parseJson: the text is not JSON (${plainError(thrown).message as string})`,
        };
      }
    },
    '<s-:j>',
  );
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(source, expression);
  return expression;
}

function plainError(thrown: unknown): { code?: unknown; position?: unknown; message?: unknown } {
  if (thrown && typeof thrown === 'object') {
    const { code, position, message } = thrown as { code?: unknown; position?: unknown; message?: unknown };
    return { code, position, message };
  }
  return { message: String(thrown) };
}

async function run(job: Job): Promise<unknown> {
  let expression: Expression;
  try {
    expression = compile(job.source);
  } catch (thrown) {
    return { id: job.id, ok: false, kind: 'syntax', error: plainError(thrown) };
  }
  let result: unknown;
  try {
    result = await expression.evaluate(job.input);
  } catch (thrown) {
    return { id: job.id, ok: false, kind: 'evaluation', error: plainError(thrown) };
  }
  const output = (message: string) => ({ id: job.id, ok: false, kind: 'output', error: { message } });
  if (result === undefined) return output('the mapping produced nothing for this input');
  if (result === null || typeof result !== 'object' || Array.isArray(result))
    return output(
      `the mapping must produce a JSON object; it produced ${Array.isArray(result) ? 'a list' : result === null ? 'null' : typeof result}`,
    );
  let json: string;
  try {
    json = JSON.stringify(result);
  } catch (thrown) {
    return output(`the mapping's result is not JSON: ${plainError(thrown).message as string}`);
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.maxOutputBytes)
    return output(`the mapping's result is ${bytes} bytes; the limit is ${limits.maxOutputBytes}`);
  return { id: job.id, ok: true, json };
}

process.on('message', (job: Job) => {
  void run(job).then((answer) => send(answer));
});
send({ ready: true });
