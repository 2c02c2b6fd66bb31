/** A destination's signing secrets as stored: the current one, and the previous one during its grace. */
export interface SigningSecrets {
  secret: string | null;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

/** Secrets a signature must be produced with right now (the current one, plus the previous during its grace). */
export function activeSecrets(secrets: SigningSecrets, now = new Date()): string[] {
  const active = secrets.secret ? [secrets.secret] : [];
  const { previousSecret, previousSecretExpiresAt } = secrets;
  if (previousSecret && previousSecretExpiresAt && previousSecretExpiresAt > now) active.push(previousSecret);
  return active;
}
