import { embeddedIpv4, forbiddenAddressReason } from './address-policy.js';

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
    // IPv6 forms that embed a forbidden IPv4 address
    '::127.0.0.1',
    '::7f00:1',
    '::ffff:0:127.0.0.1',
    '::ffff:0:7f00:1',
    '2002:7f00:1::',
    '2002:a9fe:a9fe::1',
    '64:ff9b::10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b:1::a9fe:a9fe',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  ])('refuses %s', (address) => {
    expect(forbiddenAddressReason(address, strict)).not.toBeNull();
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '2002:808:808::1',
    '64:ff9b::8.8.8.8',
  ])('allows public %s', (address) => {
    expect(forbiddenAddressReason(address, strict)).toBeNull();
  });

  it('allows loopback only when the development setting says so', () => {
    expect(forbiddenAddressReason('127.0.0.1', { allowLoopback: true })).toBeNull();
    expect(forbiddenAddressReason('::1', { allowLoopback: true })).toBeNull();
    expect(forbiddenAddressReason('10.0.0.1', { allowLoopback: true })).not.toBeNull();
  });
});

describe(embeddedIpv4.name, () => {
  it.each([
    ['::127.0.0.1', '127.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::ffff:a9fe:a9fe', '169.254.169.254'],
    ['::ffff:0:127.0.0.1', '127.0.0.1'],
    ['2002:7f00:1::', '127.0.0.1'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254'],
    ['2606:4700:4700::1111', undefined],
    ['::1', undefined],
    ['::', undefined],
  ])('reads %s as %s', (address, v4) => {
    expect(embeddedIpv4(address)).toBe(v4);
  });
});
