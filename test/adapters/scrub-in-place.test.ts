import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendDropped, DroppedWatch } from '../../src/adapters/campaign/dropped-feed.js';
import { scrubFileInPlace } from '../../src/adapters/fs/scrub-in-place.js';
import { AppendFile } from '../../src/adapters/webhook/append-file.js';
import { erasureTarget, scrubEventLine } from '../../src/core/erasure/line-scrub.js';
import { aSubscriber } from '../support/builders.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-scrub-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const citizen = aSubscriber({ phone: '+393477654321' as never, name: 'Ornella Zappacosta' });
const target = erasureTarget(citizen);
const scrub = (line: Uint8Array, hasNeedle: boolean) => hasNeedle && scrubEventLine(line, target);
const eventLine = (n: number, from: string) => `${JSON.stringify({ at: `t${n}`, payload: { messages: [{ from, id: `wamid.${n}`, type: 'text', text: { body: `msg ${n}` } }] } })}\n`;

describe('scrubFileInPlace', () => {
  it('loses none of the lines appended while it runs, and never leaves a line that is not JSON', async () => {
    const path = join(dir, 'events.jsonl');
    // a big file, a tenth of it the person's, so the scrub takes a while
    await writeFile(path, Array.from({ length: 40_000 }, (_v, n) => eventLine(n, n % 10 === 0 ? '393477654321' : '393480000000')).join(''));
    const appender = new AppendFile(path, 0);
    let appended = 0;
    let isScrubbing = true;
    const appending = (async () => {
      // other people's lines keep coming, as the webhook server writes them, until the scrub is done
      while (isScrubbing || appended < 200) {
        await appender.append(eventLine(100_000 + appended, '393489999999'));
        appended++;
      }
    })();
    const changed = await scrubFileInPlace(path, target.needles, scrub);
    isScrubbing = false;
    await appending;
    await appender.close();
    expect(changed).toBe(true);
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(40_000 + appended);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(lines.join('\n')).not.toContain('393477654321');
    const ids = new Set(lines.map((l) => (JSON.parse(l) as { payload: { messages: Array<{ id: string }> } }).payload.messages[0]?.id));
    expect(ids.has('wamid.0')).toBe(false);
    expect(ids.has('wamid.1')).toBe(true);
    const missing = Array.from({ length: appended }, (_v, n) => `wamid.${100_000 + n}`).filter((id) => !ids.has(id));
    expect(missing).toEqual([]);
  });

  it('reads a line longer than its buffer whole, and leaves a last line still being written alone', async () => {
    const path = join(dir, 'events.jsonl');
    const long = eventLine(1, '393477654321').replace('msg 1', 'x'.repeat(3 << 20));
    const partial = '{"at":"t2","payload":{"messages":[{"from":"393477654321"';
    await writeFile(path, `${long}${partial}`);
    expect(await scrubFileInPlace(path, target.needles, scrub)).toBe(true);
    const text = await readFile(path, 'utf8');
    expect(text.length).toBe(long.length + partial.length);
    expect(text.slice(0, long.length)).not.toContain('393477654321');
    expect(text.slice(long.length)).toBe(partial);
  });

  it('is nothing to do for a missing file', async () => {
    expect(await scrubFileInPlace(join(dir, 'none.jsonl'), target.needles, scrub)).toBe(false);
  });
});

describe('a campaign\'s dropped list', () => {
  it('reaches a running watch within its poll, and a new watch reads it whole', async () => {
    await appendDropped(dir, [4]);
    const watch = await DroppedWatch.start(dir, 20);
    expect([...watch.positions]).toEqual([4]);
    await appendDropped(dir, [7, 9]);
    await expect.poll(() => [...watch.positions].sort(), { timeout: 5000 }).toEqual([4, 7, 9]);
    await watch.close();
    const again = await DroppedWatch.start(dir, 20);
    await again.close();
    expect([...again.positions].sort()).toEqual([4, 7, 9]);
  });
});
