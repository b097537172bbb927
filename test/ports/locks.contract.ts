import { describe, expect, it } from 'vitest';
import { CanaleError } from '../../src/core/errors.js';
import { aCampaign } from './campaign-builders.js';
import { OTHER_PROCESS, THIS_PROCESS, type MakePorts } from './ports-under-test.js';

const scheduleBusy = (holder: { readonly campaign?: string }) => new CanaleError('SCHEDULE_RUN_BUSY', `schedule run busy (${holder.campaign ?? 'no campaign'})`, { exit: 'busy' });

/** A promise the test resolves when it chooses: work that holds a lock until then. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The Locks contract (DESIGN §7): one sender at a time, a dead holder taken over, released however work ends. */
export function describeLocksContract(name: string, make: MakePorts): void {
  describe(`the Locks contract: ${name}`, () => {
    it('runs the work holding the send lock, naming its campaign while it runs, and frees it after', async () => {
      const { ports } = await make(THIS_PROCESS);
      const seen = await ports.locks.withSendLock({ campaign: 'cmp_a', startedAt: '2026-11-28T09:00:00.000Z' }, async () => [await ports.locks.sendingNow(), await ports.locks.sendLockRecord()]);
      expect(seen).toEqual(['cmp_a', 'cmp_a']);
      expect(await ports.locks.sendingNow()).toBeUndefined();
      expect(await ports.locks.sendLockRecord()).toBeUndefined();
    });

    it('is busy while a live process holds it: SEND_BUSY, exit 4, naming its campaign; the work never runs', async () => {
      const under = await make(THIS_PROCESS);
      const other = under.as(OTHER_PROCESS);
      const [started, held] = [gate(), gate()];
      let ran = false;
      const first = under.ports.locks.withSendLock({ campaign: 'cmp_first', startedAt: '2026-11-28T09:00:00.000Z' }, async () => {
        started.open();
        await held.opened;
      });
      await started.opened;
      await expect(other.locks.withSendLock({ campaign: 'cmp_second' }, async () => (ran = true))).rejects.toMatchObject({
        code: 'SEND_BUSY',
        exit: 'busy',
        message: expect.stringContaining('cmp_first, started 2026-11-28T09:00:00.000Z'),
      });
      await expect(under.ports.locks.withSendLock({ campaign: 'cmp_again' }, async () => (ran = true))).rejects.toMatchObject({ code: 'SEND_BUSY' });
      expect(await other.locks.sendingNow()).toBe('cmp_first');
      held.open();
      await first;
      expect(ran).toBe(false);
      expect(await other.locks.withSendLock({ campaign: 'cmp_second' }, async () => 'sent')).toBe('sent');
    });

    it('is released when the work throws: the error comes through, the next send takes the lock', async () => {
      const { ports } = await make(THIS_PROCESS);
      await expect(ports.locks.withSendLock({ campaign: 'cmp_a' }, () => Promise.reject(new Error('the transport broke')))).rejects.toThrow('the transport broke');
      expect(await ports.locks.sendingNow()).toBeUndefined();
      expect(await ports.locks.withSendLock({ campaign: 'cmp_b' }, async () => 'sent')).toBe('sent');
    });

    it('is taken over at once from a holder whose process is gone (kill -9); until then it shows no send running', async () => {
      const under = await make(THIS_PROCESS);
      await under.leftHeld('sending', { campaign: 'cmp_killed', pid: 999_101 });
      expect(await under.ports.locks.sendingNow()).toBeUndefined();
      expect(await under.ports.locks.sendLockRecord()).toBe('cmp_killed');
      const shown = await under.ports.locks.withLiveStatus([aCampaign({ id: 'cmp_killed', status: 'sending' }), aCampaign({ id: 'cmp_done', status: 'completed' })]);
      expect(shown.map((c) => c.status)).toEqual(['interrupted', 'completed']);
      expect(shown[0]?.stopReason).toContain('canale send --resume cmp_killed');
      expect(await under.ports.locks.withSendLock({ campaign: 'cmp_next' }, async () => under.ports.locks.sendingNow())).toBe('cmp_next');
    });

    it('is never taken from a holder whose process still runs', async () => {
      const under = await make(THIS_PROCESS);
      await under.leftHeld('sending', { campaign: 'cmp_alive', pid: OTHER_PROCESS.pid });
      expect(await under.ports.locks.sendingNow()).toBe('cmp_alive');
      await expect(under.ports.locks.withSendLock({ campaign: 'cmp_next' }, async () => 'sent')).rejects.toMatchObject({ code: 'SEND_BUSY', message: expect.stringContaining('cmp_alive') });
      const shown = await under.ports.locks.withLiveStatus([aCampaign({ id: 'cmp_alive', status: 'sending' }), aCampaign({ id: 'cmp_other', status: 'sending' })]);
      expect(shown.map((c) => c.status)).toEqual(['sending', 'interrupted']);
    });

    it('keeps named locks apart from the send lock, each busy with its own error, taken over from a dead holder', async () => {
      const under = await make(THIS_PROCESS);
      const other = under.as(OTHER_PROCESS);
      const [started, held] = [gate(), gate()];
      const run = under.ports.locks.withLock('schedule-run', { campaign: 'cmp_slot' }, async () => {
        started.open();
        await held.opened;
      }, scheduleBusy);
      await started.opened;
      await expect(other.locks.withLock('schedule-run', {}, async () => 'ran', scheduleBusy)).rejects.toThrow('schedule run busy (cmp_slot)');
      expect(await other.locks.withSendLock({ campaign: 'cmp_a' }, async () => 'sent')).toBe('sent');
      held.open();
      await run;
      await under.leftHeld('schedule-run', { pid: 999_102 });
      expect(await other.locks.withLock('schedule-run', {}, async () => 'ran', scheduleBusy)).toBe('ran');
    });
  });
}
