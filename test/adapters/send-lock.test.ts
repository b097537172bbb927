import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withSendLock } from '../../src/adapters/campaign/send-lock.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'canale-send-lock-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** The send lock as a `canale send` killed with SIGKILL leaves it: the lock folder naming a process that is gone. */
async function killedSendLeftItsLock(pid: number, host = hostname()): Promise<void> {
  await mkdir(join(home, 'sending.lock'), { mode: 0o700 });
  await writeFile(join(home, 'sending.lock', 'holder.json'), `${JSON.stringify({ pid, host, nonce: 'dead' })}\n`);
  await writeFile(join(home, 'sending.json'), `${JSON.stringify({ campaign: 'cmp_killed', pid, host })}\n`);
}

const owner = (living: number[]) => ({ pid: 4242, alive: (pid: number) => pid === 4242 || living.includes(pid) });

describe('the send lock', () => {
  it("is taken over at once from a send on this machine whose process is gone — no stale-heartbeat wait", async () => {
    await killedSendLeftItsLock(999_101);
    const waits: string[] = [];
    const ran = await withSendLock(home, { campaign: 'cmp_next', owner: owner([]), onWait: (m) => waits.push(m) }, async () => 'sent');
    expect(ran).toBe('sent');
    expect(waits).toEqual([]);
  });

  it('is not taken from a live send: busy, exit 4, naming its campaign', async () => {
    await killedSendLeftItsLock(999_102);
    await expect(withSendLock(home, { campaign: 'cmp_next', owner: owner([999_102]) }, async () => 'sent')).rejects.toMatchObject({
      code: 'SEND_BUSY',
      exit: 'busy',
      message: expect.stringContaining('cmp_killed'),
    });
  });
});
