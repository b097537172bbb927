import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSendCampaign } from '../../src/commands/send/campaign.js';
import { parseCampaignSend } from '../../src/commands/campaign-options.js';
import { messageLabel } from '../../src/commands/send-printout.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import { aSubscriber } from '../support/builders.js';
import { contextFor, newHome, storeOf } from '../support/home.js';

let home: string;
beforeEach(async () => {
  home = await newHome();
});
afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

describe('the plan and the confirmation name the message', () => {
  it.each([
    [{ source: '/srv/avvisi/lavori.md', subject: 'Lavori in via Roma', whatsappTemplate: { name: 'avviso_cantieri', language: 'it' } }, 'lavori.md (e-mail "Lavori in via Roma", WhatsApp template avviso_cantieri (it))'],
    [{ source: 'C:\\avvisi\\sera.md' }, 'sera.md'],
    [{ source: '--text', text: 'Da lunedì 2 dicembre via Roma è chiusa per lavori di rifacimento' }, '--text "Da lunedì 2 dicembre via Roma è chiusa…"'],
    [{ source: '--text', text: 'Via Roma\nchiusa', subject: 'Via Roma' }, '--text "Via Roma chiusa" (e-mail "Via Roma")'],
  ])('%j → %s', (summary, label) => {
    expect(messageLabel(summary)).toBe(label);
  });

  it('asks to send the file by name and subject, after a plan that names it too', async () => {
    const { ctx, asked, stderr } = contextFor(home, { tty: true, answers: [true] });
    await storeOf(ctx).update((data) => {
      data.subscribers.push(aSubscriber({ id: 'sub_a' as SubscriberId, topics: ['cantieri'], channel: 'email', email: 'anna@example.it' as never, attributes: {} }));
    });
    await writeFile(join(dirname(home), 'lavori.md'), '---\ntopics: [cantieri]\nsubject: Lavori in via Roma\nchannels: [email]\n---\nVia Roma chiusa.\n');
    const options = parseCampaignSend({ message: join(dirname(home), 'lavori.md'), via: 'outbox' });
    expect(await runSendCampaign(options, ctx)).toBe(0);
    expect(stderr.text).toContain('  message: lavori.md (e-mail "Lavori in via Roma")');
    expect(asked).toEqual(['Send to 1 recipient(s) (WhatsApp 0 via -, e-mail 1 via outbox): lavori.md (e-mail "Lavori in via Roma")?']);
  });
});
