import { Webhook } from 'standardwebhooks';
import { signWebhook } from './standard-webhook-signer.js';
import { generateWebhookSecret } from './webhook-secret.js';

describe(signWebhook.name, () => {
  it('produces signatures the independent standardwebhooks verifier accepts, for every active secret', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const body = JSON.stringify({ event: 'lead.created', lead_id: 'x' });
    const now = Math.floor(Date.now() / 1000);
    const sut = signWebhook([current, previous], 'evt_123', now, body);
    expect(sut['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify(body, { ...sut })).toEqual(JSON.parse(body));
    }
  });

  it('is rejected by a verifier holding another secret', () => {
    const body = '{}';
    const sut = signWebhook([generateWebhookSecret()], 'evt_1', Math.floor(Date.now() / 1000), body);
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...sut })).toThrow();
  });
});
