import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { lastJson, startSandbox, type Report, type Sandbox } from '../support/send-sandbox.js';

/**
 * A template with an image header, body parameters and a link that ends with each citizen's municipio
 * (the sandbox's allerta_meteo, through fixtures/messages/allerta-meteo-mappa.md), through the built binary:
 * synced, previewed, sent to 500 citizens; and a message file that leaves the header out refused before any request.
 */

const FIXTURE = fileURLToPath(new URL('../../fixtures/messages/allerta-meteo-mappa.md', import.meta.url));
const MAPPA = 'https://comune.example.it/mappe/allerta-arancione.png';
const CITIZENS = 500;
const MUNICIPI = ['Centro Storico', 'Nord', 'Lido'];

let dir = '';
let box: Sandbox;
const cli = (...args: string[]): Promise<CliResult> => runCli(args, { home: join(dir, 'home'), cwd: dir, env: box.env });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-template-header-'));
  box = await startSandbox(dir);
  const rows = ['nome;telefono;canale;argomenti;municipio'];
  for (let i = 0; i < CITIZENS; i++) rows.push(`Cittadino ${i};+39 333 ${String(2_000_000 + i)};whatsapp;emergenze;${MUNICIPI[i % MUNICIPI.length] ?? ''}`);
  await writeFile(join(dir, 'iscritti.csv'), `${rows.join('\n')}\n`);
  for (const args of [['subscribers', 'import', 'iscritti.csv', '--yes'], ['templates', 'sync'], ['config', 'set', 'quietHours.whatsapp', 'off']]) {
    const done = await cli(...args);
    expect(done.code, done.stderr).toBe(0);
  }
});

afterAll(async () => {
  await box.graph.close();
  await box.sink.close();
  await rm(dir, { recursive: true, force: true });
});

interface Component {
  type: string;
  sub_type?: string;
  index?: string;
  parameters: Array<{ type: string; text?: string; image?: { link?: string } }>;
}

describe('a template with an image header and a link button, end to end', () => {
  it('previews it as the phone shows it, then sends it to 500 citizens, each with the image and their own link', async () => {
    const preview = await cli('preview', FIXTURE, '--json');
    expect(preview.code, preview.stderr).toBe(0);
    const shown = JSON.parse(preview.stdout) as { recipients: { whatsapp: number }; blocked: unknown[]; envelopes: Array<{ templateView: { header: string; buttons: Array<{ url?: string }> } }> };
    expect(shown).toMatchObject({ recipients: { whatsapp: CITIZENS }, blocked: [] });
    expect(shown.envelopes[0]?.templateView.header).toBe(`[immagine] ${MAPPA}`);
    expect(shown.envelopes[0]?.templateView.buttons[1]?.url).toBe('https://comune.example.it/allerte/Centro%20Storico');
    expect(box.graph.received).toHaveLength(0);

    const sent = await cli('send', '--message', FIXTURE, '--rate', '1000', '--yes', '--json');
    expect(sent.code, sent.stderr).toBe(0);
    expect(lastJson<Report>(sent.stdout)).toMatchObject({ status: 'completed', counts: { targeted: CITIZENS, sent: CITIZENS, failed: 0, unknown: 0 } });

    const received = box.graph.received;
    expect(received).toHaveLength(CITIZENS);
    expect(received.every((m) => 'wamid' in m.outcome)).toBe(true);
    expect(new Set(received.map((m) => m.to)).size).toBe(CITIZENS);
    const suffixes = new Set<string>();
    for (const { request } of received) {
      const { template } = request as { template: { name: string; components: Component[] } };
      expect(template.name).toBe('allerta_meteo');
      const [header, body, button] = template.components;
      expect(header).toEqual({ type: 'header', parameters: [{ type: 'image', image: { link: MAPPA } }] });
      expect(body?.parameters[1]).toEqual({ type: 'text', text: 'arancione' });
      expect(button).toMatchObject({ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text' }] });
      suffixes.add(button?.parameters[0]?.text ?? '');
    }
    expect([...suffixes].sort()).toEqual(['allerte/Centro%20Storico', 'allerte/Lido', 'allerte/Nord']);
  });

  it('refuses, before any request, a message file that leaves out the header', async () => {
    const before = box.graph.received.length;
    const source = await readFile(FIXTURE, 'utf8');
    await writeFile(join(dir, 'senza-mappa.md'), source.replace(/^ {2}header: .*\n/m, ''));
    for (const args of [['send', '--message', 'senza-mappa.md', '--dry-run'], ['send', '--message', 'senza-mappa.md', '--yes']]) {
      const refused = await cli(...args);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toContain('whatsapp.header: "allerta_meteo" has an image header: add header: { image: "https://…" }');
    }
    expect(box.graph.received).toHaveLength(before);
  });
});
