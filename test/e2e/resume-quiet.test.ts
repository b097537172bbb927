import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/cli.js';
import { quietAroundNow } from '../support/quiet-now.js';

const t = useTempHome();

describe('send --resume and quiet hours of a channel the campaign does not use', () => {
  it('resumes an e-mail campaign while WhatsApp is in its quiet hours', async () => {
    expect((await t.cli('subscribers', 'add', '--email', 'maria@example.it', '--name', 'Maria Rossi', '--topics', 'cantieri')).code).toBe(0);
    expect((await t.cli('config', 'set', 'quietHours.whatsapp', quietAroundNow())).code).toBe(0);
    const sent = await t.cli('send', '--topic', 'cantieri', '--subject', 'Via Roma', '--text', 'Via Roma chiusa', '--via', 'outbox', '--json', '--yes');
    expect(sent.code, sent.stderr).toBe(0);
    const id = (JSON.parse(sent.stdout.trim().split('\n').at(-1) ?? '{}') as { campaign: string }).campaign;
    // as a send stopped half-way leaves it
    const record = join(t.home, 'campaigns', id, 'campaign.json');
    await writeFile(record, JSON.stringify({ ...JSON.parse(await readFile(record, 'utf8')), status: 'interrupted', stopReason: 'stopped' }));

    const resumed = await t.cli('send', '--resume', id, '--yes');
    expect(resumed.stderr).not.toMatch(/quiet hours/);
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
