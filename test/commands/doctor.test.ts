import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConfigSet } from '../../src/commands/config/index.js';
import { runDoctor } from '../../src/commands/doctor.js';
import { runTemplatesSync } from '../../src/commands/templates/index.js';
import { FakeClock } from '../support/fake-deps.js';
import { contextFor } from '../support/home.js';
import { useFreshHome, useSandbox } from './sandbox-fixture.js';

const sandbox = useSandbox();
const freshHome = useFreshHome();

describe('doctor', () => {
  it('passes against the sandbox once templates are synced', async () => {
    await runTemplatesSync(contextFor(freshHome(), { env: sandbox.env }).ctx);
    await runConfigSet('city.name', 'Comune di Esempio', contextFor(freshHome()).ctx);
    const { ctx, stdout } = contextFor(freshHome(), { env: sandbox.env });
    expect(await runDoctor({ json: false }, ctx)).toBe(0);
    const lines = stdout.text.trim().split('\n');
    expect(lines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(['✓ configuration', '✓ store', '✓ WhatsApp', '✓ e-mail', '! DKIM', '✓ templates', '✓ sign-up page']);
    expect(lines[4]).toBe(
      '! DKIM: canale does not sign (email.dkim.domain, email.dkim.selector and email.dkim.keyFile are not set): make sure the SMTP relay signs for comune.example.it — Gmail and Yahoo require DKIM, SPF and DMARC of bulk senders',
    );
    expect(lines[5]).toBe('✓ templates: 9 synced less than an hour ago, 8 approved');
  });

  it('fails naming the fix when templates were never synced, and says so in JSON', async () => {
    const { ctx, stdout, stderr } = contextFor(freshHome(), { env: sandbox.env });
    expect(await runDoctor({ json: true }, ctx)).toBe(1);
    const report = JSON.parse(stdout.text) as { ok: boolean; checks: Array<{ name: string; ok: boolean | string; detail: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'templates')).toEqual({ name: 'templates', ok: false, detail: 'no WhatsApp templates synced — fetch them with: canale templates sync' });
    expect(stderr.text).toContain('1 problem(s): templates');
  });

  it('warns about the outbox with no credentials, and still passes', async () => {
    const { ctx, stdout } = contextFor(freshHome());
    expect(await runDoctor({ json: false }, ctx)).toBe(0);
    expect(stdout.text).toContain('! WhatsApp: whatsapp: no CANALE_WHATSAPP_TOKEN, CANALE_WHATSAPP_PHONE_NUMBER_ID set — messages go to the outbox');
  });

  it('names a bad setting in the configuration and where it is used', async () => {
    const { ctx, stdout } = contextFor(freshHome(), { env: { ...sandbox.env, CANALE_WHATSAPP_TIMEOUT_MS: 'soon' } });
    expect(await runDoctor({ json: false }, ctx)).toBe(1);
    expect(stdout.text).toContain('✗ configuration: whatsapp.timeoutMs is not a whole number greater than 0');
    expect(stdout.text).toContain('✗ WhatsApp: whatsapp.timeoutMs: "soon" is not valid');
  });

  it('fails on a wrong token and a dead SMTP server, without showing secrets', async () => {
    const env = { ...sandbox.env, CANALE_WHATSAPP_TOKEN: 'wrong-secret-token', CANALE_SMTP_URL: 'smtp://user:smtp-secret@127.0.0.1:1' };
    const { ctx, stdout, stderr } = contextFor(freshHome(), { env });
    expect(await runDoctor({ json: false }, ctx)).toBe(1);
    expect(stdout.text).toMatch(/✗ WhatsApp: cloud-api: WHATSAPP_TOKEN_INVALID/);
    expect(stdout.text).toMatch(/✗ e-mail: smtp: SMTP_UNREACHABLE/);
    expect(stdout.text + stderr.text).not.toMatch(/wrong-secret-token|smtp-secret/);
  });

  it('checks the DKIM key — it reads, is RSA, its names are DNS names, its domain aligns with From — and never shows it', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    await mkdir(freshHome(), { recursive: true });
    await writeFile(join(freshHome(), 'dkim.pem'), pem);
    const dkim = (domain: string, keyFile = 'dkim.pem') => ({ ...sandbox.env, CANALE_EMAIL_DKIM_DOMAIN: domain, CANALE_EMAIL_DKIM_SELECTOR: 'canale2026', CANALE_EMAIL_DKIM_KEY_FILE: keyFile });
    const lineOf = async (env: Record<string, string>): Promise<string> => {
      const { ctx, stdout } = contextFor(freshHome(), { env });
      await runDoctor({ json: false }, ctx);
      expect(stdout.text).not.toContain(String(pem).split('\n')[1]);
      return stdout.text.split('\n').find((l) => l.includes(' DKIM: ')) ?? '';
    };
    expect(await lineOf(dkim('comune.example.it'))).toBe(
      `✓ DKIM: signs as d=comune.example.it, s=canale2026 with the 1024-bit RSA key in ${join(freshHome(), 'dkim.pem')} — its public key must be the TXT record canale2026._domainkey.comune.example.it`,
    );
    expect(await lineOf(dkim('example.it'))).toMatch(/^✓ DKIM: signs as d=example\.it/);
    expect(await lineOf(dkim('altro.example.org'))).toMatch(/^! DKIM: .*; but the From domain comune\.example\.it is not altro\.example\.org or under it: DMARC counts .* — sign with d=comune\.example\.it$/);
    await writeFile(join(freshHome(), 'public.pem'), createPublicKey(pem).export({ type: 'spki', format: 'pem' }));
    expect(await lineOf(dkim('comune.example.it', 'public.pem'))).toMatch(/^✗ DKIM: email\.dkim\.keyFile: .*public\.pem is not a private key in PEM/);
  });

  it('reports a damaged store', async () => {
    await runTemplatesSync(contextFor(freshHome(), { env: sandbox.env }).ctx);
    await writeFile(join(freshHome(), 'db.json'), '{"version":2,');
    const { ctx, stdout } = contextFor(freshHome());
    expect(await runDoctor({ json: false }, ctx)).toBe(1);
    expect(stdout.text).toMatch(/✗ store: .*db\.json is damaged/);
  });

  it('flags the default city name with a !, until it is set', async () => {
    const unset = contextFor(freshHome());
    expect(await runDoctor({ json: false }, unset.ctx)).toBe(0);
    expect(unset.stdout.text).toContain('! city name: city.name is not set: e-mails are signed "Comune" — set it with: canale config set city.name "Comune di …"');
    await runConfigSet('city.name', 'Comune di Esempio', contextFor(freshHome()).ctx);
    const set = contextFor(freshHome());
    await runDoctor({ json: false }, set.ctx);
    expect(set.stdout.text).not.toContain('city name');
  });

  it('says when quiet hours are in force now on a channel that reaches citizens, with when they end', async () => {
    const night = () => ({ clock: new FakeClock(new Date('2026-11-28T22:30:00Z')) });
    await runTemplatesSync(contextFor(freshHome(), { env: sandbox.env }).ctx);
    const { ctx, stdout } = contextFor(freshHome(), { env: sandbox.env, ...night() });
    expect(await runDoctor({ json: false }, ctx)).toBe(0);
    expect(stdout.text).toContain(
      '! quiet hours: WhatsApp quiet hours (21:00–08:00, Europe/Rome) in force now, until 2026-11-29 08:00: a send started now is refused unless urgent, schedules wait until then',
    );
    const day = contextFor(freshHome(), { env: sandbox.env });
    await runDoctor({ json: false }, day.ctx);
    expect(day.stdout.text).not.toContain('quiet hours');
    // the outbox reaches nobody, so its channel has no quiet hours
    const outbox = contextFor(freshHome(), night());
    await runDoctor({ json: false }, outbox.ctx);
    expect(outbox.stdout.text).not.toContain('quiet hours');
  });
});
