import os from 'node:os';

/**
 * Who is replaying, recorded with each replay when --actor is not given: LEADHOOKS_ACTOR, else the OS user's name,
 * else `uid:<n>`. In a container run under a user id with no passwd entry (Kubernetes `runAsUser`), the OS has no
 * name for the user and os.userInfo() throws; the CLI must still work.
 */
export function defaultReplayActor(
  env: Record<string, string | undefined> = process.env,
  userInfo: () => { username: string } = () => os.userInfo(),
  uid: number | undefined = process.getuid?.(),
): string {
  const fromEnv = env.LEADHOOKS_ACTOR?.trim();
  if (fromEnv) return fromEnv;
  try {
    const { username } = userInfo();
    if (username) return username;
  } catch {
    // no passwd entry for this uid
  }
  return uid === undefined ? 'unknown' : `uid:${uid}`;
}
