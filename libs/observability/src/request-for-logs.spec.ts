import { requestForLogs } from './observability.module.js';

describe(requestForLogs.name, () => {
  it('keeps the id, method and path of a request, never its query string, headers or client address', () => {
    const request = {
      id: 7,
      method: 'GET',
      url: '/v1/leads/search?email=ada%40example.com&phone=555',
      headers: { authorization: 'Bearer x' },
      remoteAddress: '203.0.113.9',
    };
    const sut = requestForLogs(request);
    expect(sut).toEqual({ id: 7, method: 'GET', path: '/v1/leads/search' });
    expect(JSON.stringify(sut)).not.toMatch(/ada|555|203\.0\.113|Bearer/);
  });
});
