import { activeSecrets, currentSecret, type SigningSecrets } from './signing-secrets.js';

describe('two-step rotation (staged secret)', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const staged = (activatesAt: Date | null): SigningSecrets => ({
    secret: 'old',
    previousSecret: null,
    previousSecretExpiresAt: null,
    nextSecret: 'new',
    nextSecretActivatesAt: activatesAt,
  });

  it('keeps sending the current secret while the staged one waits for activation', () => {
    expect(currentSecret(staged(null), now)).toBe('old');
    expect(activeSecrets(staged(null), now)).toEqual(['old']);
    expect(currentSecret(staged(new Date(now.getTime() + 1)), now)).toBe('old');
  });

  it('sends the staged secret from its set time, signing with both where the scheme allows', () => {
    const due = staged(new Date(now.getTime() - 1));
    expect(currentSecret(due, now)).toBe('new');
    expect(activeSecrets(due, now)).toEqual(['new', 'old']);
  });
});
