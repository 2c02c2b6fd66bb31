/**
 * A destination's signing secrets as stored: the current one, the previous one during its grace, and a staged one
 * (two-step rotation) that becomes current when activated or at its set time.
 */
export interface SigningSecrets {
  secret: string | null;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  nextSecret?: string | null;
  nextSecretActivatesAt?: Date | null;
}

/** Whether a staged secret is due (its set time has come): from then on it is the one sent. */
function stagedSecretDue(secrets: SigningSecrets, now: Date): boolean {
  return Boolean(secrets.nextSecret && secrets.nextSecretActivatesAt && secrets.nextSecretActivatesAt <= now);
}

/** The secret a single-secret scheme (secret header, hex signature) sends now. */
export function currentSecret(secrets: SigningSecrets, now = new Date()): string | null {
  return stagedSecretDue(secrets, now) ? (secrets.nextSecret ?? null) : secrets.secret;
}

/**
 * Secrets a signature must be produced with right now (the current one, plus the previous during its grace; once a
 * staged secret's time has come, it and the one it replaces).
 */
export function activeSecrets(secrets: SigningSecrets, now = new Date()): string[] {
  if (stagedSecretDue(secrets, now))
    return [secrets.nextSecret as string, ...(secrets.secret ? [secrets.secret] : [])];
  const active = secrets.secret ? [secrets.secret] : [];
  const { previousSecret, previousSecretExpiresAt } = secrets;
  if (previousSecret && previousSecretExpiresAt && previousSecretExpiresAt > now) active.push(previousSecret);
  return active;
}
