import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/commands/doctor.js';
import { runTemplatesSync } from '../../src/commands/templates/index.js';
import { contextFor } from '../support/home.js';
import { useFreshHome, useSandbox } from './sandbox-fixture.js';

const sandbox = useSandbox();
const freshHome = useFreshHome();

describe('doctor', () => {
  it('passes against the sandbox once templates are synced', async () => {
    await runTemplatesSync(contextFor(freshHome(), { env: sandbox.env }).ctx);
    const { ctx, stdout } = contextFor(freshHome(), { env: sandbox.env });
    expect(await runDoctor({ json: false }, ctx)).toBe(0);
    const lines = stdout.text.trim().split('\n');
    expect(lines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(['✓ configuration', '✓ store', '✓ WhatsApp', '✓ e-mail', '✓ templates']);
    expect(lines[4]).toBe('✓ templates: 5 synced less than an hour ago, 4 approved');
  });

  it('fails naming the fix when templates were never synced, and says so in JSON', async () => {
    const { ctx, stdout, stderr } = contextFor(freshHome(), { env: sandbox.env });
    expect(await runDoctor({ json: true }, ctx)).toBe(1);
    const report = JSON.parse(stdout.text) as { ok: boolean; checks: Array<{ name: string; ok: boolean | string; detail: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.at(-1)).toEqual({ name: 'templates', ok: false, detail: 'no WhatsApp templates synced — fetch them with: canale templates sync' });
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

  it('reports a damaged store', async () => {
    await runTemplatesSync(contextFor(freshHome(), { env: sandbox.env }).ctx);
    await writeFile(join(freshHome(), 'db.json'), '{"version":2,');
    const { ctx, stdout } = contextFor(freshHome());
    expect(await runDoctor({ json: false }, ctx)).toBe(1);
    expect(stdout.text).toMatch(/✗ store: .*db\.json is damaged/);
  });
});
