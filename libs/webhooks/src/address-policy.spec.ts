import { forbiddenAddressReason } from './address-policy.js';

describe(forbiddenAddressReason.name, () => {
  const strict = { allowLoopback: false };

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    'fd00:ec2::254',
  ])('refuses %s', (address) => {
    expect(forbiddenAddressReason(address, strict)).not.toBeNull();
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows public %s', (address) => {
    expect(forbiddenAddressReason(address, strict)).toBeNull();
  });

  it('allows loopback only when the development setting says so', () => {
    expect(forbiddenAddressReason('127.0.0.1', { allowLoopback: true })).toBeNull();
    expect(forbiddenAddressReason('::1', { allowLoopback: true })).toBeNull();
    expect(forbiddenAddressReason('10.0.0.1', { allowLoopback: true })).not.toBeNull();
  });
});
