import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outboxHolder } from '../../../src/adapters/transports/outbox/outbox-files.js';
import { OutboxTransport } from '../../../src/adapters/transports/outbox/outbox-transport.js';
import { homePaths } from '../../../src/adapters/home.js';
import type { Email } from '../../../src/core/email.js';
import type { E164 } from '../../../src/core/phone.js';
import type { EmailEnvelope, WhatsAppEnvelope } from '../../../src/core/transport.js';
import type { WhatsAppUserId } from '../../../src/core/whatsapp-identity.js';
import { aSubscriber } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-deps.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'canale-outbox-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const signal = new AbortController().signal;
const clock = new FakeClock();
const outbox = (channel: 'whatsapp' | 'email') => new OutboxTransport({ home, channel, from: 'Comune <avvisi@comune.example.it>', clock });

const whatsapp: WhatsAppEnvelope = {
  channel: 'whatsapp',
  to: '+393331234567' as E164,
  campaignId: 'cmp_1',
  recipientKey: 'sub_1',
  content: { kind: 'template', name: 'avviso_cantieri', language: 'it', parameters: { format: 'positional', values: ['Giulia Bianchi'] } },
};
const email: EmailEnvelope = {
  channel: 'email',
  to: 'giulia.bianchi@example.it' as Email,
  toName: 'Giulia Bianchì',
  subject: 'Chiusura scuole: è confermata',
  text: 'Gentile Giulia Bianchì, domani le scuole sono chiuse.',
  html: '<p>Gentile Giulia Bianchì, domani le scuole sono chiuse.</p>',
  unsubscribeUrl: 'https://comune.example.it/u/t',
  recipientKey: 'sub_1',
};

describe('OutboxTransport', () => {
  it('writes the exact Graph request body for WhatsApp, 0600', async () => {
    const result = await outbox('whatsapp').send(whatsapp, signal);
    expect(result).toMatchObject({ ok: true });
    const [file] = await readdir(join(home, 'outbox', 'whatsapp'));
    expect(result.ok && result.providerMessageId).toBe(`outbox:outbox/whatsapp/${file}`);
    const path = join(home, 'outbox', 'whatsapp', file ?? '');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ messaging_product: 'whatsapp', to: '+393331234567', biz_opaque_callback_data: 'cmp_1', type: 'template' });
  });

  it('writes a real RFC 5322 message for e-mail, and never overwrites an earlier one', async () => {
    await outbox('email').send(email, signal);
    await outbox('email').send(email, signal);
    const files = (await readdir(join(home, 'outbox', 'email'))).sort();
    expect(files).toHaveLength(2);
    expect(files[1]).toMatch(/^2026-11-28T09-00-00-000Z-test-[0-9a-f]{16}\.eml$/);
    expect(files[0]).toBe(files[1]?.replace('.eml', '-2.eml'));
    const raw = await readFile(join(home, 'outbox', 'email', files[1] ?? ''), 'utf8');
    expect(raw).toMatch(/^Message-ID: <test\.sub_1@comune\.example\.it>\r$/m);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(raw).toMatch(/^Subject: =\?UTF-8\?Q\?Chiusura_scuole=3A_=C3=A8_confermata\?=\r$/m);
  });

  it('reports an unwritable home as a value', async () => {
    const broken = new OutboxTransport({ home: join(home, 'missing\0name'), channel: 'email', from: 'a@b.it', clock });
    expect(await broken.send(email, signal)).toMatchObject({ ok: false, failure: { kind: 'fatal', code: 'OUTBOX_WRITE_FAILED' } });
  });
});

describe('the outbox to a WhatsApp user id', () => {
  it('writes the body with the user id in `recipient`, tagged so erasure finds it', async () => {
    const userId = 'US.13491208655302741918' as WhatsAppUserId;
    expect(await outbox('whatsapp').send({ ...whatsapp, to: userId }, signal)).toMatchObject({ ok: true });
    const [file] = await readdir(join(home, 'outbox', 'whatsapp'));
    const body = JSON.parse(await readFile(join(home, 'outbox', 'whatsapp', file ?? ''), 'utf8')) as Record<string, unknown>;
    expect(body).toMatchObject({ recipient_type: 'individual', recipient: userId });
    expect(body).not.toHaveProperty('to');
    const citizen = aSubscriber({ name: 'Giulia Bianchi', phone: undefined, whatsappUserId: userId } as never);
    // the body names neither a phone nor the name's case as written: the tag in the file name finds it
    expect(await outboxHolder.erase({ ...citizen, name: 'Qualcun Altro' }, homePaths(home))).toBe(1);
  });
});

describe('the outbox erasure holder', () => {
  it("removes a forgotten citizen's files, found by address tag or by mention, and nobody else's", async () => {
    await outbox('whatsapp').send(whatsapp, signal);
    await outbox('email').send(email, signal);
    await outbox('email').send({ ...email, to: 'luca.verdi@example.it' as Email, toName: 'Luca Verdi', text: 'Gentile Luca', html: '<p>Gentile Luca</p>' }, signal);
    const citizen = aSubscriber({ name: 'Giulia Bianchì', phone: '+393331234567' as E164, email: 'giulia.bianchi@example.it' as Email });
    expect(await outboxHolder.erase(citizen, homePaths(home))).toBe(2);
    expect(await readdir(join(home, 'outbox', 'whatsapp'))).toEqual([]);
    expect(await readdir(join(home, 'outbox', 'email'))).toHaveLength(1);
    expect(await outboxHolder.erase(citizen, homePaths(join(home, 'nowhere')))).toBe(0);
  });
});
