import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { unsubscribeLinks } from '../../src/adapters/unsubscribe-links.js';
import { untilApplied } from '../support/webhook-applied.js';
import { startCli, useTempHome } from '../support/cli.js';

const t = useTempHome();
let server: ReturnType<typeof startCli> | undefined;
afterEach(async () => {
  server?.child.kill('SIGTERM');
  await server?.done;
  server = undefined;
});

/** Starts `webhook serve --port 0` and resolves with its address, the first line of its stdout. */
async function serve(): Promise<string> {
  server = startCli(['webhook', 'serve', '--port', '0'], { home: t.home, cwd: t.dir });
  return new Promise<string>((resolve, reject) => {
    let out = '';
    server?.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void server?.done.then((r) => reject(new Error(`webhook serve exited early: ${r.stderr}`)));
  });
}

const oneClick = (url: string) =>
  request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

describe('webhook serve and the unsubscribe settings', () => {
  it('says at start what is missing, and takes a secret set later with config set, without a restart', async () => {
    expect((await t.cli('subscribers', 'add', '--email', 'maria@example.it', '--name', 'Maria Rossi', '--topics', 'cantieri')).code).toBe(0);
    const id = (JSON.parse((await t.cli('subscribers', 'show', 'maria@example.it', '--json')).stdout) as { id: string }).id;
    const base = await serve();
    expect(server?.stderr()).toMatch(/no CANALE_UNSUBSCRIBE_SECRET set: e-mail unsubscribe links are refused \(403\)/);
    expect(server?.stderr()).toMatch(/no CANALE_PUBLIC_URL set/);

    const link = unsubscribeLinks('https://avvisi.comune.example.it', 'segreto-nuovo', { now: () => new Date() }).urlFor(id, undefined) ?? '';
    const path = new URL(link).pathname;
    const before = await oneClick(`${base}${path}`);
    expect(before.statusCode).toBe(403);
    await before.body.dump();

    expect((await t.cli('config', 'set', 'unsubscribeSecret', 'segreto-nuovo')).code).toBe(0);
    // HEAD (a link checker) answers as GET, with no body, and unsubscribes nobody
    const head = await request(`${base}${path}`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(await head.body.text()).toBe('');
    expect((JSON.parse((await t.cli('subscribers', 'show', 'maria@example.it', '--json')).stdout) as { status: string }).status).toBe('active');
    const after = await oneClick(`${base}${path}`);
    expect(after.statusCode).toBe(200);
    await after.body.dump();
    // recorded in the event log before the 200, applied by the server's next batch
    await untilApplied(t.cli, 1);
    const shown = JSON.parse((await t.cli('subscribers', 'show', 'maria@example.it', '--json')).stdout) as { status: string; history: Array<{ source: string }> };
    expect(shown.status).toBe('unsubscribed');
    expect(shown.history.at(-1)?.source).toBe('email:one-click');
  });
});
