import { describe, expect, it } from 'vitest';
import { memoryPersistence } from '../../src/adapters/memory/memory-persistence.js';
import { aStore, aSubscriber } from '../support/builders.js';
import { FakeClock } from '../support/fake-deps.js';

describe('memoryPersistence', () => {
  it('starts with the subscribers it is given (a copy) and empty campaigns, events and schedules', async () => {
    const anna = aSubscriber({ name: 'Anna' });
    const data = aStore([anna]);
    const ports = memoryPersistence({ clock: new FakeClock(), subscribers: data });
    data.subscribers.pop();
    expect(await ports.subscribers.find({ id: anna.id })).toEqual(anna);
    expect(await ports.campaigns.list()).toEqual([]);
    expect(await ports.events.size()).toBe(0);
    expect(await ports.schedules.list()).toEqual([]);
    expect(ports.campaigns.whereIs('cmp_a')).toBe('memory:campaigns/cmp_a');
  });

  it('without a process, counts every holder alive: a second send while one runs is busy', async () => {
    const ports = memoryPersistence({ clock: new FakeClock() });
    const inner = ports.locks.withSendLock({ campaign: 'cmp_a' }, () => ports.locks.withSendLock({ campaign: 'cmp_b' }, async () => 'sent'));
    await expect(inner).rejects.toMatchObject({ code: 'SEND_BUSY', exit: 'busy', message: expect.stringContaining('cmp_a') });
    expect(await ports.locks.sendingNow()).toBeUndefined();
  });
});
