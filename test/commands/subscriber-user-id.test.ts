import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTestSend } from '../../src/commands/send/index.js';
import { parseSubscriberQuery, runSubscriberList } from '../../src/commands/subscribers/list.js';
import { runSubscriberShow } from '../../src/commands/subscribers/show.js';
import type { E164 } from '../../src/core/phone.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import { aSubscriber } from '../support/builders.js';
import { contextFor, newHome, storeOf } from '../support/home.js';

const USER_ID = 'US.13491208655302741918';
let home = '';
beforeEach(async () => {
  home = await newHome();
  const { ctx } = contextFor(home);
  await storeOf(ctx).update((data) => {
    data.subscribers.push(
      aSubscriber({ id: 'sub_u' as SubscriberId, name: 'Maria Username', phone: undefined, email: undefined, whatsappUserId: USER_ID } as never),
      aSubscriber({
        id: 'sub_n' as SubscriberId,
        name: 'Luca Rossi',
        phone: '+393339999999' as E164,
        history: [
          { at: '2026-11-28T10:00:00.000Z', action: 'number-changed', previous: '+393331111111', source: 'whatsapp:wamid.sys' },
          { at: '2026-11-29T10:00:00.000Z', action: 'user-id-changed', previous: 'US.old', source: 'whatsapp:wamid.uid' },
        ],
      }),
    );
  });
});
afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

describe('subscribers show and list with WhatsApp user ids', () => {
  it('finds a subscriber by user id and shows it', async () => {
    const shown = contextFor(home);
    await runSubscriberShow(USER_ID, { json: false }, shown.ctx);
    expect(shown.stdout.text).toContain(`WhatsApp id: ${USER_ID}`);
    expect(shown.stdout.text).not.toMatch(/^phone:/m);
    const json = contextFor(home);
    await runSubscriberShow(USER_ID, { json: true }, json.ctx);
    expect(JSON.parse(json.stdout.text)).toMatchObject({ id: 'sub_u', phone: null, whatsappUserId: USER_ID });
  });

  it('shows what a number or user id change replaced, in the consent history', async () => {
    const shown = contextFor(home);
    await runSubscriberShow('sub_n', { json: false }, shown.ctx);
    expect(shown.stdout.text).toMatch(/history: +.* number-changed \(was \+393331111111\) \(whatsapp:wamid\.sys\)/);
    expect(shown.stdout.text).toMatch(/history: +.* user-id-changed \(was US\.old\) \(whatsapp:wamid\.uid\)/);
  });

  it('lists the user id, null when there is none, in --json', async () => {
    const listed = contextFor(home);
    await runSubscriberList(parseSubscriberQuery({ json: true }), listed.ctx);
    expect((JSON.parse(listed.stdout.text) as Array<Record<string, unknown>>).map((s) => [s.id, s.whatsappUserId])).toEqual([
      ['sub_u', USER_ID],
      ['sub_n', null],
    ]);
  });
});

describe('send --test-to a WhatsApp user id', () => {
  it.each([USER_ID, 'US.ENT.11815799212886844830'])('%s is a WhatsApp address', (testTo) => {
    expect(parseTestSend({ testTo, text: 'Ciao' }, 'IT')).toEqual({ channel: 'whatsapp', to: testTo, text: 'Ciao' });
  });

  it.each(['us.1349', 'US1349', 'maria_username'])('%s is neither a number, a user id nor an e-mail', (testTo) => {
    expect(() => parseTestSend({ testTo, text: 'Ciao' }, 'IT')).toThrow(`--test-to ${testTo}: expected a phone number (+39 333 123 4567), a WhatsApp user id (US.13491208655302741918) or an e-mail address`);
  });
});
