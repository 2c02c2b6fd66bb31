import { defaultReplayActor } from './replay-actor.js';

describe(defaultReplayActor.name, () => {
  const noPasswdEntry = () => {
    throw Object.assign(new Error('ENOENT: no such file or directory, uv_os_get_passwd'), { code: 'ENOENT' });
  };

  it('takes LEADHOOKS_ACTOR first', () => {
    expect(defaultReplayActor({ LEADHOOKS_ACTOR: 'ops-oncall' }, () => ({ username: 'root' }), 0)).toBe(
      'ops-oncall',
    );
  });

  it("takes the OS user's name otherwise", () => {
    expect(defaultReplayActor({}, () => ({ username: 'alice' }), 1000)).toBe('alice');
  });

  it('falls back to the uid when the user id has no passwd entry (a container runAsUser)', () => {
    expect(defaultReplayActor({}, noPasswdEntry, 10001)).toBe('uid:10001');
  });
});
