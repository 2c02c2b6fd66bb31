import { DeliverySlots } from './delivery-slots.js';

describe(DeliverySlots.name, () => {
  it('lets an endpoint hold its own limit of requests and no more, while other endpoints keep theirs', () => {
    const sut = new DeliverySlots({ perEndpoint: 2, perSite: 10 });
    const held = [sut.tryAcquire('slow-site', 'slow-a'), sut.tryAcquire('slow-site', 'slow-a')];
    expect(held.every(Boolean)).toBe(true);
    expect(sut.free('slow-site', 'slow-a')).toBe(false);
    expect(sut.tryAcquire('slow-site', 'slow-a')).toBeUndefined();
    expect(sut.tryAcquire('slow-site', 'slow-b')).toBeDefined();
    expect(sut.tryAcquire('good-site', 'good')).toBeDefined();
    held[0]?.();
    expect(sut.tryAcquire('slow-site', 'slow-a')).toBeDefined();
  });

  it("caps a site's endpoints together: many never-answering endpoints of one site cannot take every slot", () => {
    const sut = new DeliverySlots({ perEndpoint: 8, perSite: 32 });
    let taken = 0;
    for (let endpoint = 0; endpoint < 100; endpoint++)
      for (let i = 0; i < 8; i++) if (sut.tryAcquire('hostile', `hook-${endpoint}`)) taken++;
    expect(taken).toBe(32);
    expect(sut.free('hostile')).toBe(false);
    expect(sut.free('healthy', 'zapier')).toBe(true);
    expect(sut.inFlight('hostile')).toEqual({ site: 32, endpoint: 0 });
  });

  it('gives a slot back once however often release is called, and forgets idle keys', () => {
    const sut = new DeliverySlots({ perEndpoint: 1, perSite: 1 });
    const release = sut.tryAcquire('s', 'e');
    release?.();
    release?.();
    expect(sut.inFlight('s', 'e')).toEqual({ site: 0, endpoint: 0 });
    expect(sut.tryAcquire('s', 'e')).toBeDefined();
    expect(sut.tryAcquire('s', 'e')).toBeUndefined();
  });
});

describe(`${DeliverySlots.name}.acquire`, () => {
  it('hands a freed slot to a brief waiter at once, and gives up on one that stays full', async () => {
    const sut = new DeliverySlots({ perEndpoint: 1, perSite: 10 });
    const first = sut.tryAcquire('s', 'fast');
    const waiting = sut.acquire('s', 'fast', 5_000);
    const started = Date.now();
    setTimeout(() => first?.(), 20);
    expect(await waiting).toBeDefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    sut.tryAcquire('s', 'slow');
    expect(await sut.acquire('s', 'slow', 50)).toBeUndefined();
  });
});
