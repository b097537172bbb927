import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { runTemplatesList, runTemplatesSync } from '../../src/commands/templates/index.js';
import { contextFor, storeOf } from '../support/home.js';
import { useFreshHome, useSandbox } from './sandbox-fixture.js';

const sandbox = useSandbox();
const freshHome = useFreshHome();

describe('templates sync', () => {
  it('pages through the account’s templates and stores them', async () => {
    const { ctx, stderr } = contextFor(freshHome(), { env: sandbox.env });
    expect(await runTemplatesSync(ctx)).toBe(9);
    expect(stderr.text).toContain('✓ synced 9 template(s) from the WhatsApp account, 8 approved');
    const stored = (await storeOf(ctx).read()).templates;
    expect(stored.map((t) => `${t.name}/${t.status}/${t.parameterFormat}`)).toEqual([
      'avviso_cantieri/APPROVED/positional',
      'raccolta_rifiuti/APPROVED/named',
      'chiusura_scuole/APPROVED/positional',
      'allerta_emergenza/APPROVED/positional',
      'evento_cittadino/PAUSED/positional',
      'allerta_meteo/APPROVED/positional',
      'avviso_municipio/APPROVED/named',
      'bando_pubblicato/APPROVED/positional',
      'conferma_iscrizione/APPROVED/positional',
    ]);
    expect(stored.every((t) => t.syncedAt === '2026-11-28T09:00:00.000Z')).toBe(true);
  });

  it('says what to set when the account is not configured', async () => {
    const { ctx } = contextFor(freshHome(), { env: { CANALE_WHATSAPP_TOKEN: 'x' } });
    await expect(runTemplatesSync(ctx)).rejects.toThrow(/needs CANALE_WHATSAPP_WABA_ID — set them, or try it locally with: canale sandbox/);
  });

  it('stops with the Graph failure and keeps what was stored', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get('https://graph.test').intercept({ path: (p) => p.includes('/message_templates'), method: 'GET' }).reply(401, { error: { code: 190, message: 'expired' } });
    const { ctx } = contextFor(freshHome(), { env: { CANALE_WHATSAPP_TOKEN: 'secret-x', CANALE_WHATSAPP_WABA_ID: '9', CANALE_WHATSAPP_API_URL: 'https://graph.test' } });
    await expect(runTemplatesSync(ctx, agent)).rejects.toThrow(/^templates sync failed: the access token was refused/);
    expect((await storeOf(ctx).read()).templates).toEqual([]);
    await agent.close();
  });
});

describe('templates list', () => {
  it('prints plain rows in a pipe and JSON with --json', async () => {
    await runTemplatesSync(contextFor(freshHome(), { env: sandbox.env }).ctx);
    const table = contextFor(freshHome());
    await runTemplatesList({ json: false }, table.ctx);
    const lines = table.stdout.text.trim().split('\n');
    expect(lines[0]).toBe('NAME\tLANGUAGE\tCATEGORY\tSTATUS\tPARAMETERS\tBODY');
    expect(lines[2]).toBe('raccolta_rifiuti\tit\tUTILITY\tAPPROVED\tnome, giorno, materiale\tCiao {{nome}}, {{giorno}} la raccolta di {{materiale}} nel tuo quartiere è spostata.');
    const json = contextFor(freshHome());
    await runTemplatesList({ json: true }, json.ctx);
    expect(JSON.parse(json.stdout.text)[0]).toMatchObject({ name: 'avviso_cantieri', language: 'it', category: 'UTILITY', status: 'APPROVED', parameters: ['1', '2', '3'] });
  });

  it('says how to sync when there is nothing yet', async () => {
    const { ctx, stdout, stderr } = contextFor(freshHome());
    await runTemplatesList({ json: false }, ctx);
    expect(stdout.text).toBe('');
    expect(stderr.text).toContain('no templates synced yet — fetch them with: canale templates sync');
  });
});
