import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTestSend } from '../../src/commands/send/index.js';
import { runTestSend } from '../../src/commands/send/test-send.js';
import { runTemplatesSync } from '../../src/commands/templates/index.js';
import { contextFor } from '../support/home.js';
import { useFreshHome, useSandbox } from './sandbox-fixture.js';

const sandbox = useSandbox({ reject: ['nessuno@example.it'] });
const freshHome = useFreshHome();

describe('parseTestSend', () => {
  it.each([
    [{ testTo: '333 123 4567', text: 'Ciao' }, { channel: 'whatsapp', to: '+393331234567', text: 'Ciao' }],
    [{ testTo: '+39 333 123 4567', template: 'avviso', param: ['a', 'b'], language: 'it_IT', via: 'outbox' }, { channel: 'whatsapp', to: '+393331234567', template: { name: 'avviso', params: ['a', 'b'], language: 'it_IT' }, via: 'outbox' }],
    [{ testTo: 'Maria@Example.IT', subject: ' Prova ', text: 'Testo' }, { channel: 'email', to: 'Maria@example.it', subject: 'Prova', text: 'Testo' }],
  ])('%j → %j', (raw, options) => {
    expect(parseTestSend(raw, 'IT')).toEqual(options);
  });

  it.each([
    [{ testTo: 'nobody' }, /--test-to nobody: expected a phone number/],
    [{ testTo: '333 123 4567' }, /needs either --text T or --template NAME/],
    [{ testTo: '333 123 4567', text: 'a', template: 'b' }, /needs either --text T or --template NAME/],
    [{ testTo: 'a@b.it', text: 'a' }, /a test e-mail needs --subject and --text/],
    [{ testTo: 'a@b.it', template: 'x' }, /--template is for WhatsApp/],
    [{ testTo: 'a@b.it', subject: 's', text: 't', via: 'pigeon' }, /--via pigeon: expected one of cloud-api, smtp, outbox/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseTestSend(raw, 'IT')).toThrow(message);
  });
});

describe('send --test-to', () => {
  it('sends a template through the Cloud API and prints the wamid', async () => {
    const { ctx, stdout, stderr } = contextFor(freshHome(), { env: sandbox.env });
    expect(await runTestSend(parseTestSend({ testTo: '333 123 4567', template: 'avviso_cantieri', param: ['Maria', '2 dicembre', 'via Roma'] }, 'IT'), ctx)).toBe(0);
    expect(stdout.text).toMatch(/^wamid\.\S+\n$/);
    expect(stderr.text).toContain('✓ sent a test WhatsApp message to +393331234567 through cloud-api');
  });

  it('uses the synced template’s named format', async () => {
    await runTemplatesSync(contextFor(freshHome(), { env: sandbox.env }).ctx);
    const { ctx } = contextFor(freshHome(), { env: sandbox.env });
    const options = parseTestSend({ testTo: '333 123 4567', template: 'raccolta_rifiuti', param: ['nome=Luca', 'giorno=lunedì', 'materiale=carta'] }, 'IT');
    expect(await runTestSend(options, ctx)).toBe(0);
    const last = sandbox.graph.received.at(-1)?.request as { template: { components: Array<{ parameters: unknown[] }> } };
    expect(last.template.components[0]?.parameters[0]).toEqual({ type: 'text', parameter_name: 'nome', text: 'Luca' });
  });

  it('prints the failure with its code and exits 1', async () => {
    const { ctx, stdout, stderr } = contextFor(freshHome(), { env: sandbox.env });
    expect(await runTestSend(parseTestSend({ testTo: '333 123 4567', text: 'Ciao' }, 'IT'), ctx)).toBe(1);
    expect(stdout.text).toBe('');
    expect(stderr.text).toMatch(/not sent through cloud-api: WHATSAPP_OUTSIDE_WINDOW \(provider code 131047\): free text is only allowed/);
  });

  it('sends an e-mail through SMTP, and reports a rejected mailbox', async () => {
    const { ctx, stdout } = contextFor(freshHome(), { env: sandbox.env });
    expect(await runTestSend(parseTestSend({ testTo: 'maria@example.it', subject: 'Città', text: 'Perché' }, 'IT'), ctx)).toBe(0);
    expect(stdout.text).toMatch(/^<test\.test_0001@comune\.example\.it>\n$/);
    expect(sandbox.sink.received.at(-1)?.to).toEqual(['maria@example.it']);
    const rejected = contextFor(freshHome(), { env: sandbox.env });
    expect(await runTestSend(parseTestSend({ testTo: 'nessuno@example.it', subject: 'x', text: 'y' }, 'IT'), rejected.ctx)).toBe(1);
    expect(rejected.stderr.text).toMatch(/SMTP_MAILBOX_REJECTED \(provider code 550\)/);
  });

  it('writes to the outbox, with a warning, when nothing is configured', async () => {
    const { ctx, stdout, stderr } = contextFor(freshHome());
    expect(await runTestSend(parseTestSend({ testTo: 'maria@example.it', subject: 'Prova', text: 'Testo' }, 'IT'), ctx)).toBe(0);
    expect(stderr.text).toContain('! email: no CANALE_SMTP_URL, CANALE_EMAIL_FROM set — messages go to the outbox');
    const path = stdout.text.trim().replace(/^outbox:/, '');
    expect(await readFile(join(freshHome(), path), 'utf8')).toMatch(/^Subject: Prova\r$/m);
  });
});
