import { describe, expect, it } from '@jest/globals';
import { deeperThan, MAX_BODY_DEPTH, parseInboundBody } from './inbound-body.js';

describe(parseInboundBody.name, () => {
  it('reads JSON (and +json types), a urlencoded form with repeated fields as lists, and a multipart form', async () => {
    expect(await parseInboundBody('application/json; charset=utf-8', Buffer.from('{"a":[1]}'))).toEqual({
      ok: true,
      kind: 'json',
      body: { a: [1] },
    });
    expect((await parseInboundBody('application/vnd.api+json', Buffer.from('[1]'))).ok).toBe(true);
    expect(
      await parseInboundBody('application/x-www-form-urlencoded', Buffer.from('a=1&b=x+y&a=2&c=')),
    ).toEqual({
      ok: true,
      kind: 'urlencoded',
      body: { a: ['1', '2'], b: 'x y', c: '' },
    });
    const form = new FormData();
    form.append('rawRequest', '{"q3_email":"a@b.co"}');
    form.append('upload', new Blob(['%PDF'], { type: 'application/pdf' }), 'cv.pdf');
    const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
    const parsed = await parseInboundBody(
      request.headers.get('content-type'),
      Buffer.from(await request.arrayBuffer()),
    );
    expect(parsed).toEqual({
      ok: true,
      kind: 'multipart',
      body: { rawRequest: '{"q3_email":"a@b.co"}', upload: '[file cv.pdf (application/pdf, 4 bytes)]' },
    });
  });

  it('answers 415 for other types or a body without one, and 400 for a body its type cannot read', async () => {
    expect(await parseInboundBody('text/plain', Buffer.from('x'))).toMatchObject({ ok: false, status: 415 });
    expect(await parseInboundBody(null, Buffer.from('x'))).toMatchObject({ ok: false, status: 415 });
    expect(await parseInboundBody(null, Buffer.alloc(0))).toEqual({ ok: true, kind: 'empty', body: {} });
    expect(await parseInboundBody('application/json', Buffer.from('{"a":'))).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(await parseInboundBody('application/json', Buffer.alloc(0))).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(
      await parseInboundBody('multipart/form-data; boundary=x', Buffer.from('--x\r\nbroken')),
    ).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('refuses nesting deeper than the limit, however deep, without recursing', async () => {
    const depth = 200_000;
    expect(
      await parseInboundBody('application/json', Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
    ).toMatchObject({
      ok: false,
      status: 400,
      message: expect.stringContaining(`${MAX_BODY_DEPTH} levels`),
    });
    expect(deeperThan({ a: { b: [1] } }, 3)).toBe(false);
    expect(deeperThan({ a: { b: [[1]] } }, 3)).toBe(true);
  });
});
