import { forbiddenAddressReason } from './address-policy.js';
import { AllowedTargets } from './allowed-targets.js';
import { webhookUrlProblem } from './webhook-url-policy.js';

describe(AllowedTargets.name, () => {
  it('is off when the setting is empty', () => {
    const sut = AllowedTargets.parse(' , ');
    expect(sut.isEmpty).toBe(true);
    expect(sut.listsHost('demo-receiver')).toBe(false);
    expect(sut.listsAddress('10.0.0.1')).toBe(false);
  });

  it('lists host names (case and a trailing dot ignored), addresses and CIDRs of both families', () => {
    const sut = AllowedTargets.parse(
      'Demo-Receiver, crm.internal., 10.20.0.0/16, 192.168.1.5, fd00:1::/64, [::1]',
    );
    expect(sut.listsHost('demo-receiver')).toBe(true);
    expect(sut.listsHost('CRM.internal')).toBe(true);
    expect(sut.listsHost('other.internal')).toBe(false);
    expect(sut.listsAddress('10.20.255.1')).toBe(true);
    expect(sut.listsAddress('10.21.0.1')).toBe(false);
    expect(sut.listsAddress('192.168.1.5')).toBe(true);
    expect(sut.listsAddress('192.168.1.6')).toBe(false);
    expect(sut.listsAddress('fd00:1::9')).toBe(true);
    expect(sut.listsAddress('::1')).toBe(true);
    expect(sut.listsAddress('crm.internal')).toBe(false);
  });

  it.each([
    '10.0.0.0/33',
    '10.0.0.0/x',
    '10.0.0.0/8/1',
    'fd00::/129',
    'bad host',
    'https://crm.internal',
    '*.internal',
  ])('refuses %s, naming it', (entry) => {
    expect(() => AllowedTargets.parse(`crm.internal,${entry}`)).toThrow(entry);
  });
});

describe('forbiddenAddressReason with WEBHOOK_ALLOWED_HOSTS', () => {
  const allowed = AllowedTargets.parse('crm.internal,10.20.0.0/16,127.0.0.1');

  it('permits a listed address or one inside a listed CIDR, loopback included when listed', () => {
    expect(forbiddenAddressReason('10.20.3.4', { allowLoopback: false, allowed })).toBeNull();
    expect(forbiddenAddressReason('::ffff:10.20.3.4', { allowLoopback: false, allowed })).toBeNull();
    expect(forbiddenAddressReason('127.0.0.1', { allowLoopback: false, allowed })).toBeNull();
  });

  it('still refuses private addresses nobody listed', () => {
    expect(forbiddenAddressReason('10.21.0.1', { allowLoopback: false, allowed })).toMatch(/private/);
    expect(forbiddenAddressReason('127.0.0.2', { allowLoopback: false, allowed })).toMatch(/loopback/);
  });

  it.each(['10.1.2.3', '172.18.0.5', '192.168.7.7', '100.64.1.1', 'fd12::5'])(
    'lets a listed host name resolve to the private address %s',
    (address) => {
      expect(forbiddenAddressReason(address, { allowLoopback: false, hostListed: true })).toBeNull();
    },
  );

  it.each([
    '127.0.0.1',
    '::1',
    '169.254.169.254',
    'fd00:ec2::254',
    '0.0.0.0',
    '::ffff:127.0.0.1',
    '224.0.0.1',
  ])(
    'never lets a listed host name reach loopback or metadata (%s) unless that address is listed',
    (address) => {
      expect(forbiddenAddressReason(address, { allowLoopback: false, hostListed: true })).not.toBeNull();
    },
  );
});

describe('webhookUrlProblem with WEBHOOK_ALLOWED_HOSTS', () => {
  const allowedTargets = AllowedTargets.parse('demo-receiver,10.20.0.0/16');
  const policy = { allowInsecure: false, allowedTargets };

  it.each([
    'http://demo-receiver:4000/hook',
    'https://demo-receiver/hook',
    'http://10.20.0.7:8080/crm',
    'https://10.20.0.7/crm',
  ])('accepts the listed target %s (plain http included)', (url) => {
    expect(webhookUrlProblem(url, policy)).toBeNull();
  });

  it.each([
    ['http://other-receiver:4000/hook', /https/],
    ['https://other-receiver/hook', /public host/],
    ['http://10.21.0.7/crm', /https/],
    ['https://10.21.0.7/crm', /forbidden address/],
    ['https://localhost/hook', /public host/],
    ['https://169.254.169.254/latest', /forbidden address/],
    ['http://user:pw@demo-receiver/hook', /credentials/],
  ])('refuses %s', (url, reason) => {
    expect(webhookUrlProblem(url, policy)).toMatch(reason);
  });

  it('is off by default: the demo receiver is refused without the setting', () => {
    expect(webhookUrlProblem('http://demo-receiver:4000/hook', { allowInsecure: false })).toMatch(/https/);
    expect(webhookUrlProblem('https://demo-receiver:4000/hook', { allowInsecure: false })).toMatch(
      /public host/,
    );
  });
});
