import { Readable } from 'node:stream';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';

/** A source request's body exactly as it arrived (signatures are over these bytes), read up to the size limit. */
export interface CapturedBody {
  /** The Content-Type the sender gave, or null. */
  contentType: string | null;
  raw: Buffer;
  /** Bytes received, or announced by Content-Length when that alone was over the limit. */
  size: number;
  /** Over the limit: `raw` holds only what fit, and the request is answered 413. */
  tooLarge: boolean;
}

const CAPTURED = Symbol('inboundCapturedBody');
/** What the captured request's Content-Type reads after capture, so only the parser below handles it. */
const CAPTURED_MEDIA_TYPE = 'application/x-leadhooks-captured';

type CapturingRequest = FastifyRequest & { [CAPTURED]?: CapturedBody };

/**
 * Inbound routes read their bodies themselves (SPEC §14), unlike every other route: the signature schemes need the
 * exact bytes, every outcome (an oversize, unsupported or malformed body included) must reach the request log
 * rather than be answered by Fastify before the route runs, and the size limit is the inbound one. A preParsing hook
 * on the routes under `pathPrefix` reads the body up to `limitBytes` (past it, the rest is drained unread) and hands
 * it on under a media type only the parser registered here accepts; the route then takes it with `@InboundBody()`.
 * Other routes are untouched. Must be called before the app's routes are registered (before `init`).
 */
export function captureInboundBodies(
  fastify: FastifyInstance,
  { pathPrefix, limitBytes }: { pathPrefix: string; limitBytes: number },
): void {
  fastify.addContentTypeParser(CAPTURED_MEDIA_TYPE, (request, payload, done) => {
    const captured = (request as CapturingRequest)[CAPTURED];
    payload.resume();
    // Only a request this hook captured carries the type; anyone else sending it gets the usual 415.
    if (!captured)
      return done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }), undefined);
    // From here on the request's headers are the sender's again (the mapping and the log see its Content-Type).
    if (captured.contentType === null) delete request.headers['content-type'];
    else request.headers['content-type'] = captured.contentType;
    done(null, {});
  });
  const capture: preParsingAsyncHookHandler = async (request, _reply, payload) => {
    const captured = await readLimited(request, payload, limitBytes);
    (request as CapturingRequest)[CAPTURED] = captured;
    request.headers['content-type'] = CAPTURED_MEDIA_TYPE;
    const empty = Readable.from([]) as Readable & { receivedEncodedLength?: number };
    empty.receivedEncodedLength = 0;
    return empty;
  };
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(pathPrefix)) return;
    const existing = route.preParsing;
    route.preParsing = [...(existing ? (Array.isArray(existing) ? existing : [existing]) : []), capture];
  });
}

function readLimited(
  request: FastifyRequest,
  payload: NodeJS.ReadableStream,
  limit: number,
): Promise<CapturedBody> {
  const contentType = request.headers['content-type'] ?? null;
  const announced = Number(request.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) {
    // Not worth reading: drained unread so the answer can go out.
    payload.resume();
    return Promise.resolve({ contentType, raw: Buffer.alloc(0), size: announced, tooLarge: true });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (tooLarge: boolean) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      resolve({ contentType, raw: Buffer.concat(chunks), size, tooLarge });
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        // The rest flows on with no listener (drained, not kept).
        finish(true);
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => finish(false);
    // A sender that goes away mid-body: what arrived is all there is; its answer goes nowhere anyway.
    const onError = () => finish(false);
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  });
}

/** The captured body of an inbound route's request. */
export const InboundBody = createParamDecorator((_data: unknown, context: ExecutionContext): CapturedBody => {
  const captured = context.switchToHttp().getRequest<CapturingRequest>()[CAPTURED];
  if (!captured) throw new Error('InboundBody used on a route captureInboundBodies does not cover');
  return captured;
});
