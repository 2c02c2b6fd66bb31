import { isMaskOf, maskUrl } from './url-mask.js';

describe(maskUrl.name, () => {
  it.each([
    ['https://hooks.zapier.com/hooks/catch/123456/abcdef/', 'https://hooks.zapier.com/***'],
    ['https://hook.eu1.make.com/a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6', 'https://hook.eu1.make.com/***'],
    ['https://eo1a2b3c4d5e6f7.m.pipedream.net', 'https://***.m.pipedream.net/'],
    ['https://n8n.acme.test/webhook/5f1c2d3e-aaaa-bbbb-cccc-1234567890ab', 'https://n8n.acme.test/***'],
    ['https://crm.acme.test/?token=s3cret', 'https://crm.acme.test/***'],
    ['http://127.0.0.1:4000/hooks/demo', 'http://127.0.0.1:4000/***'],
    ['https://crm.acme.test', 'https://crm.acme.test/'],
    ['not a url', '<invalid url>'],
  ])('masks %s as %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });

  it('never shows any path segment or query value', () => {
    const url = 'https://hooks.zapier.com/hooks/catch/987/zyx/?a=secret#frag';
    for (const part of ['hooks/catch', '987', 'zyx', 'secret', 'frag'])
      expect(maskUrl(url)).not.toContain(part);
  });
});

describe(isMaskOf.name, () => {
  it('recognises the mask of the stored URL, and nothing else', () => {
    const url = 'https://hooks.zapier.com/hooks/catch/1/a/';
    expect(isMaskOf('https://hooks.zapier.com/***', url)).toBe(true);
    expect(isMaskOf('https://hooks.zapier.com/', url)).toBe(false);
    expect(isMaskOf('https://other.example/***', url)).toBe(false);
    expect(isMaskOf('https://hooks.zapier.com/***', null)).toBe(false);
  });
});
