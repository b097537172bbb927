import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppendFile } from '../../../src/adapters/webhook/append-file.js';
import { homePaths } from '../../../src/adapters/home.js';
import { webhookHolder } from '../../../src/adapters/webhook/webhook-erasure.js';
import { ensureWebhookDir, EventLog, eventLogFile, FailureStreaks } from '../../../src/adapters/webhook/webhook-files.js';
import { aSubscriber } from '../../support/builders.js';

let home = '';

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'canale-webhook-files-'));
  await ensureWebhookDir(home);
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('FailureStreaks', () => {
  it('counts undeliverable messages in a row, resets on a delivery, and survives a restart', async () => {
    const streaks = await FailureStreaks.load(home);
    expect(await streaks.note('sub_a', true)).toBe(1);
    expect(await streaks.note('sub_a', true)).toBe(2);
    expect(await streaks.note('sub_b', false)).toBe(0);
    const again = await FailureStreaks.load(home);
    expect(await again.note('sub_a', true)).toBe(3);
    expect(await again.note('sub_a', false)).toBe(0);
    expect(await (await FailureStreaks.load(home)).note('sub_a', true)).toBe(1);
  });
});

describe('FailureStreaks and forget', () => {
  it("a running server's next count does not bring back the streak forget removed", async () => {
    const streaks = await FailureStreaks.load(home);
    await streaks.note('sub_gone', true);
    await streaks.note('sub_gone', true);
    expect(await webhookHolder.erase(aSubscriber({ id: 'sub_gone' as never }), homePaths(home))).toBe(1);
    await streaks.note('sub_other', true);
    const file = JSON.parse(await readFile(join(home, 'webhooks', 'whatsapp-failures.json'), 'utf8')) as { counts: Record<string, number> };
    expect(file.counts).toEqual({ sub_other: 1 });
  });
});

describe('EventLog', () => {
  it('keeps every payload, one line each, in a file only its owner reads, even when many arrive at once', async () => {
    const log = new EventLog(home);
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.record(`2026-11-28T10:00:00.${String(i).padStart(3, '0')}Z`, { n: i, name: 'Niccolò' })));
    await log.close();
    const lines = (await readFile(eventLogFile(home), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(200);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { payload: { n: number } }).payload.n)).size).toBe(200);
    expect(lines[0]).toContain('Niccolò');
    expect((await stat(eventLogFile(home))).mode & 0o777).toBe(0o600);
  });
});

describe('EventLog: e-mail unsubscribes', () => {
  it('records what the token decoded to, one line each; forget overwrites the subscriber id where it lies, same length', async () => {
    const citizen = aSubscriber();
    const log = new EventLog(home);
    await log.recordPage('2026-11-28T10:00:00.000Z', { unsubscribe: { subscriberId: citizen.id, topic: 'cantieri', source: 'email:one-click' } });
    await log.recordPage('2026-11-28T10:00:01.000Z', { unsubscribe: { subscriberId: 'sub_other', source: 'email:link' } });
    await log.close();
    const before = await readFile(eventLogFile(home), 'utf8');
    expect(before.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { at: '2026-11-28T10:00:00.000Z', unsubscribe: { sub: citizen.id, topic: 'cantieri', source: 'email:one-click' } },
      { at: '2026-11-28T10:00:01.000Z', unsubscribe: { sub: 'sub_other', source: 'email:link' } },
    ]);
    expect(await webhookHolder.erase(citizen, homePaths(home))).toBe(1);
    const after = await readFile(eventLogFile(home), 'utf8');
    expect(after).not.toContain(citizen.id);
    expect(after).toContain('sub_other');
    expect(after.length).toBe(before.length);
  });
});

describe('AppendFile', () => {
  it('two writers appending to one file (the server and a send) leave every line whole', async () => {
    const path = join(home, 'journal.jsonl');
    const a = new AppendFile(path);
    const b = new AppendFile(path, 0);
    const line = (who: string, i: number) => `${JSON.stringify({ who, i, pad: 'x'.repeat(i % 97) })}\n`;
    await Promise.all(Array.from({ length: 500 }, (_, i) => [a.append(line('a', i)), b.append(line('b', i) + line('b', i + 500))]).flat());
    await Promise.all([a.close(), b.close()]);
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { who: string });
    expect(lines.filter((l) => l.who === 'a')).toHaveLength(500);
    expect(lines.filter((l) => l.who === 'b')).toHaveLength(1000);
  });
});
