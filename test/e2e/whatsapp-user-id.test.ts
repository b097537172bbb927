import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { lastJson, MESSAGE, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';

/**
 * A citizen who uses a WhatsApp username, known to the city by their business-scoped user id alone (issue 15 item
 * 4), through the built binary: imported, shown, exported and imported back, previewed, and reached by a real send
 * through the Cloud API transport and the sandbox — by `recipient`, as Meta documents for user ids.
 */

const USER_ID = 'US.13491208655302741918';
const LUCA_USER_ID = 'US.77700011122233344455';
const CSV = [
  'nome;telefono;whatsapp_user_id;email;argomenti;municipio',
  `Maria Username;;${USER_ID};;raccolta-differenziata;3`,
  'Luca Rossi;+39 333 100 0001;;luca@example.it;raccolta-differenziata;5',
  '',
].join('\n');

let dir = '';
let box: Sandbox | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-user-id-e2e-'));
});
afterEach(async () => {
  await box?.graph.close();
  await box?.sink.close();
  box = undefined;
  await rm(dir, { recursive: true, force: true });
});

type Listed = Array<Record<string, unknown>>;

describe('a citizen known by WhatsApp user id alone, end to end', () => {
  it('is imported, shown, exported and imported back, and a send through the sandbox reaches them by user id', async () => {
    box = await startSandbox(dir, { userIds: { '393331000001': LUCA_USER_ID } });
    const env = box.env;
    const cli = (...args: string[]): Promise<CliResult> => runCli(args, { home: join(dir, 'home'), cwd: dir, env });
    await writeFile(join(dir, 'iscritti.csv'), CSV);
    await writeFile(join(dir, 'carta.md'), MESSAGE);
    const imported = await cli('subscribers', 'import', 'iscritti.csv', '--yes', '--json');
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ inserted: 2, rejected: 0 });
    for (const setup of [['templates', 'sync'], ['config', 'set', 'quietHours.whatsapp', 'off']]) {
      const done = await cli(...setup);
      expect(done.code, done.stderr).toBe(0);
    }

    const shown = await cli('subscribers', 'show', USER_ID);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`WhatsApp id: ${USER_ID}`);
    expect(shown.stdout).toMatch(/channel: +whatsapp/);
    const listed = JSON.parse((await cli('subscribers', 'list', '--json')).stdout) as Listed;
    expect(listed.map((s) => [s.name, s.phone, s.whatsappUserId, s.channel])).toEqual([
      ['Maria Username', null, USER_ID, 'whatsapp'],
      ['Luca Rossi', '+393331000001', null, 'whatsapp'],
    ]);

    // the export has the user id in its own column, and a new home importing it has the same subscribers
    expect((await cli('subscribers', 'export', '--out', 'export.csv')).code).toBe(0);
    const [header = [], ...rows] = parse(await readFile(join(dir, 'export.csv'), 'utf8')) as string[][];
    expect(rows.map((r) => r[header.indexOf('whatsapp_user_id')])).toEqual([USER_ID, '']);
    const other = join(dir, 'altra-casa');
    const back = await runCli(['subscribers', 'import', 'export.csv', '--yes', '--json'], { home: other, cwd: dir });
    expect(back.code, back.stderr).toBe(0);
    const again = JSON.parse((await runCli(['subscribers', 'list', '--json'], { home: other, cwd: dir })).stdout) as Listed;
    expect(again).toEqual(listed.map((s) => ({ ...s, history: [] })));

    const preview = await cli('preview', 'carta.md', '--to', USER_ID);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain(`WhatsApp → Maria Username (${USER_ID})`);
    const dry = await cli('send', '--message', 'carta.md', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ plan: { recipients: { whatsapp: 2, email: 0 }, transports: { whatsapp: 'cloud-api' } } });
    expect(box.graph.received).toHaveLength(0);

    const sent = await cli('send', '--message', 'carta.md', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    expect(lastJson<Report>(sent.stdout)).toMatchObject({ status: 'completed', counts: { targeted: 2, sent: 2, failed: 0, skipped: 0 } });
    const requests = box.graph.received.map((m) => m.request as Record<string, unknown>);
    expect(requests.map((r) => [r.to, r.recipient])).toEqual(expect.arrayContaining([[undefined, USER_ID], ['+393331000001', undefined]]));
    expect(box.graph.received.every((m) => 'wamid' in m.outcome)).toBe(true);
    // the user id Meta gave with Luca's send is kept: a STOP from it alone finds him
    const luca = await cli('subscribers', 'show', '+393331000001');
    expect(luca.stdout).toContain(`WhatsApp id: ${LUCA_USER_ID}`);
    expect((await cli('subscribers', 'show', LUCA_USER_ID)).stdout).toContain('Luca Rossi');

    const test = await cli('send', '--test-to', USER_ID, '--template', 'avviso_cantieri', '--param', 'Maria', '--param', '2 dicembre', '--param', 'via Roma');
    expect(test.code, test.stderr).toBe(0);
    expect(test.stderr).toContain(`to ${USER_ID} through cloud-api`);
    expect(box.graph.received.at(-1)?.request).toMatchObject({ recipient: USER_ID, template: { name: 'avviso_cantieri' } });

    const wrong = await cli('send', '--test-to', 'maria_username', '--template', 'avviso_cantieri');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('expected a phone number (+39 333 123 4567), a WhatsApp user id (US.13491208655302741918) or an e-mail address');
  });
});
