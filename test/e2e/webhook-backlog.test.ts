import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inboundPayload, postWebhook } from '../../src/adapters/sandbox/status-webhooks.js';
import { startCli, useTempHome } from '../support/cli.js';
import { untilApplied } from '../support/webhook-applied.js';

/**
 * `webhook serve` through the built binary under a burst of STOPs: every post is answered once it is in the event
 * log, the server applies them in batches (a handful of store writes, not one per STOP), and `webhook status`
 * shows the backlog while it runs and after it stops.
 */

const t = useTempHome();
let server: ReturnType<typeof startCli> | undefined;

afterEach(async () => {
  server?.child.kill('SIGKILL');
  await server?.done;
  server = undefined;
});

const SECRET = 'segreto-webhook';
const ids = { wabaId: '1', phoneNumberId: '2', displayNumber: '390000000000' };
const phone = (i: number) => `+39333${String(2_000_000 + i)}`;

async function serve(): Promise<string> {
  server = startCli(['webhook', 'serve', '--port', '0'], { home: t.home, cwd: t.dir, env: { CANALE_WHATSAPP_APP_SECRET: SECRET } });
  return new Promise<string>((resolve, reject) => {
    let out = '';
    server?.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void server?.done.then((r) => reject(new Error(`webhook serve exited early: ${r.stderr}`)));
  });
}

describe('webhook serve: a burst of STOPs', () => {
  it('200 STOPs from 20 concurrent clients: every post 200, all applied, in a handful of store writes; webhook status says so', async () => {
    const n = 200;
    const rows = ['nome;telefono;canale;argomenti', ...Array.from({ length: n }, (_, i) => `Cittadino ${i};${phone(i)};whatsapp;cantieri`)];
    await writeFile(join(t.dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
    expect((await t.cli('subscribers', 'import', 'iscritti.csv', '--yes')).code).toBe(0);
    const empty = JSON.parse((await t.cli('webhook', 'status', '--json')).stdout) as Record<string, unknown>;
    expect(empty).toEqual({ received: 0, applied: 0, waiting: 0, waitingLines: 0, waitingReceipts: 0, batches: 0, storeWrites: 0, replies: { today: 0, last30Days: 0, cost: { currency: 'EUR', last30Days: 0 } } });

    const url = await serve();
    const at = new Date('2026-11-28T09:00:00Z');
    const answers: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async (_, client) => {
        for (let k = client; k < n; k += 20) {
          const payload = inboundPayload({ wamid: `wamid.stop${k}`, from: phone(k).slice(1), at, text: 'STOP' }, ids);
          answers.push(await postWebhook(`${url}/webhooks/whatsapp`, payload, SECRET));
        }
      }),
    );
    const postedMs = performance.now() - started;
    expect(answers).toEqual(Array(n).fill('HTTP 200'));

    const backlog = await untilApplied(t.cli, n);
    const appliedMs = performance.now() - started;
    expect(backlog).toMatchObject({ received: n, applied: n, waiting: 0 });
    // the batches: lines that arrive while one is applied form the next, so 200 STOPs cost far fewer than 200 store writes
    expect(backlog.storeWrites).toBeGreaterThan(0);
    expect(backlog.storeWrites).toBeLessThanOrEqual(50);
    // reply traffic: each STOP got its confirmation
    expect(backlog.replies).toMatchObject({ last30Days: n });
    console.info(`200 STOPs: posted in ${postedMs.toFixed(0)} ms, applied after ${appliedMs.toFixed(0)} ms, ${backlog.storeWrites} store write(s) in ${backlog.batches} batch(es)`);

    // read as canale reads the store: db.json with its change log, where the batches appended them
    const listed = JSON.parse((await t.cli('subscribers', 'list', '--json')).stdout) as Array<{ status: string; history?: unknown[] }>;
    expect(listed.map((s) => `${s.status} ${s.history?.length ?? 0}`)).toEqual(Array(n).fill('unsubscribed 1'));
    // each STOP twice in the opt-out feed: by number before its batch's store write, by id after it
    const optOuts = (await readFile(join(t.home, 'optouts.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { sub?: string; phone?: string });
    expect(optOuts.filter((o) => o.phone !== undefined)).toHaveLength(n);
    expect(new Set(optOuts.flatMap((o) => (o.sub === undefined ? [] : [o.sub]))).size).toBe(n);
    const doctor = await t.cli('doctor', '--json');
    const check = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; detail: string }> }).checks.find((c) => c.name === 'webhook events');
    expect(check?.detail).toMatch(/^200 event\(s\) received, 200 applied, 0 waiting/);
    expect(check?.detail).toMatch(/200 in the last 30 days \(est\. 0\.00 EUR at price\.whatsapp\.service\)$/);

    // stopped, the figures stay readable
    server?.child.kill('SIGTERM');
    expect((await server?.done)?.code).toBe(0);
    server = undefined;
    const after = await t.cli('webhook', 'status');
    expect(after.stdout).toMatch(/^200 event\(s\) received, 200 applied, 0 waiting/);
  }, 120_000);
});
