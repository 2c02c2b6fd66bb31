import type { FastifyInstance } from 'fastify';
import { textProblem } from './storable-text.js';

/**
 * Path parameters and query strings reach SQL as text (a hostname, an email to search by, a token, a cursor).
 * Postgres refuses NUL and unpaired surrogates in text, so such a request is answered 400 naming the parameter
 * here, before any route runs, instead of failing its statement (a 500). Bodies are checked by their DTOs.
 */
export function refuseUnstorableParameters(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const problem =
      firstProblem(request.params, 'path parameter') ?? firstProblem(request.query, 'query parameter');
    if (!problem) return done();
    const message = `${problem.field} ${problem.message}`;
    void reply.status(400).send({
      statusCode: 400,
      message: `The ${problem.where} ${message}`,
      errors: [{ field: problem.field, message }],
    });
  });
}

function firstProblem(
  values: unknown,
  where: string,
): { field: string; message: string; where: string } | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    const field = printable(name);
    const nameProblem = textProblem(name);
    if (nameProblem) return { field, message: `(its name) ${nameProblem}`, where };
    for (const item of Array.isArray(value) ? value : [value]) {
      const problem = typeof item === 'string' ? textProblem(item) : null;
      if (problem) return { field, message: problem, where };
    }
  }
  return undefined;
}

/** A parameter name safe to echo in an answer. */
function printable(name: string): string {
  return name
    .replace(/\u0000/g, ' ')
    .toWellFormed()
    .slice(0, 100);
}
