import type { Command } from 'commander';
import { toEmail } from '../../core/email.js';
import { usageError } from '../../core/errors.js';
import { looksLikePhone, toE164 } from '../../core/phone.js';
import type { TransportName } from '../../core/transport.js';
import { BSUID_FORM, type WhatsAppAddress, type WhatsAppUserId } from '../../core/whatsapp-identity.js';
import { collect, withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { runResume, runSendCampaign } from './campaign.js';
import { flagName, parseCampaignSend, parseResume, type CampaignFlags } from '../campaign-options.js';
import { runTestSend, type TestSendOptions } from './test-send.js';
import { canaleCommand } from '../../core/shell-quote.js';

interface RawSend {
  testTo?: string;
  topic?: string[];
  message?: string;
  resume?: string;
  text?: string;
  template?: string;
  param?: string[];
  subject?: string;
  via?: string;
  language?: string;
}

const VIAS: readonly TransportName[] = ['cloud-api', 'smtp', 'outbox'];

/** A --test-to that is not an e-mail: a phone number, or a WhatsApp user id as Meta writes them (US.1349…). */
function whatsappTestAddress(address: string, country: string): WhatsAppAddress {
  if (BSUID_FORM.test(address)) return address as WhatsAppUserId;
  const phone = looksLikePhone(address) ? toE164(address, country) : undefined;
  if (phone === undefined) throw usageError('SEND_TEST_TO_INVALID', `--test-to ${address}: expected a phone number (+39 333 123 4567), a WhatsApp user id (US.13491208655302741918) or an e-mail address`);
  return phone;
}

/** argv → TestSendOptions; every mistake is a usage error (exit 2) that says what to write instead. */
export function parseTestSend(raw: RawSend, country: string): TestSendOptions {
  const address = raw.testTo ?? '';
  if (raw.via !== undefined && !(VIAS as readonly string[]).includes(raw.via)) throw usageError('SEND_VIA_INVALID', `--via ${raw.via}: expected one of ${VIAS.join(', ')}`);
  const via = raw.via === undefined ? {} : { via: raw.via as TransportName };
  const email = address.includes('@') ? toEmail(address) : undefined;
  if (raw.message !== undefined) {
    const extra = (['text', 'template', 'param', 'subject', 'language'] as const).find((k) => raw[k] !== undefined);
    if (extra !== undefined) throw usageError('SEND_MESSAGE_TWICE', `--message gives the whole message: drop --${extra}`);
    if (email !== undefined) return { channel: 'email', to: email, message: raw.message, ...via };
    return { channel: 'whatsapp', to: whatsappTestAddress(address, country), message: raw.message, ...via };
  }
  if (email !== undefined) {
    if (raw.template !== undefined) throw usageError('SEND_TEMPLATE_ON_EMAIL', '--template is for WhatsApp; an e-mail takes --subject S --text T');
    if (raw.subject === undefined || raw.subject.trim() === '' || raw.text === undefined || raw.text.trim() === '') {
      throw usageError('SEND_EMAIL_INCOMPLETE', `a test e-mail needs --subject and --text: ${canaleCommand('send', '--test-to', address, '--subject', 'Prova', '--text', 'Messaggio di prova')}`);
    }
    return { channel: 'email', to: email, subject: raw.subject.trim(), text: raw.text, ...via };
  }
  const phone = whatsappTestAddress(address, country);
  if (raw.subject !== undefined) throw usageError('SEND_SUBJECT_ON_WHATSAPP', `--subject is for e-mail; ${address} gets a WhatsApp message: drop --subject`);
  if ((raw.text === undefined) === (raw.template === undefined)) {
    throw usageError('SEND_WHATSAPP_CONTENT', `a test WhatsApp message needs either --text T or --template NAME [--param V]…: ${canaleCommand('send', '--test-to', address, '--template', 'avviso_cantieri', '--param', 'Maria', '--param', '2 dicembre', '--param', 'via Roma')}`);
  }
  if (raw.text !== undefined) return { channel: 'whatsapp', to: phone, text: raw.text, ...via };
  const template = { name: raw.template ?? '', params: raw.param ?? [], ...(raw.language === undefined ? {} : { language: raw.language }) };
  return { channel: 'whatsapp', to: phone, template, ...via };
}

export function registerSend(program: Command, app: App): void {
  withExamples(
    program
      .command('send')
      .description('send a message to a topic\'s subscribers (plan, confirm, deliver, report), resume a send, or send one test message')
      .option('--topic <topic>', 'send to the subscribers of this topic (repeatable; also a,b)', collect)
      .option('--where <key=value>', 'only subscribers whose field or attribute has this value (repeatable)', collect)
      .option('--message <file>', 'the message file to send (see: canale compose, canale preview)')
      .option('--text <text>', 'a short message given inline (WhatsApp free text, or the e-mail body)')
      .option('--channel <channel>', 'preferred (each subscriber\'s own, the default), all, whatsapp or email')
      .option('--via <transport>', 'cloud-api, smtp or outbox, for this run only')
      .option('--rate <n>', 'messages per second per channel (default: whatsapp.rate, email.rate); with --resume, at most the campaign\'s own')
      .option('--concurrency <n>', 'requests in flight at once per channel (default 20); with --resume, at most the campaign\'s own')
      .option('--dry-run', 'print the plan and send nothing')
      .option('--urgent', 'an urgent send (emergencies): quiet hours do not apply (opt-outs do); recorded as urgent in the campaign and the report')
      .option('--split', 'send what the WhatsApp daily tier (whatsapp.dailyLimit) allows now, the rest when it frees up (via canale schedule run)')
      .option('--allow-free-text', 'allow a message without a WhatsApp template through the Cloud API')
      .option('--allow-no-unsubscribe', 'send e-mail without an unsubscribe link when publicUrl or unsubscribeSecret is not set')
      .option('--json', 'print the plan and the final report as JSON on stdout')
      .option('--resume <campaign>', 'go on with an interrupted campaign at its own pace: only recipients not yet reached')
      .option('--retry-failed', 'with --resume: try again the recipients whose failure may pass')
      .option('--resend-unknown', 'with --resume: resend to recipients whose outcome is unknown after a crash (they may get it twice)')
      .option('--test-to <address>', 'send one test message now to this phone number, WhatsApp user id or e-mail address')
      .option('--template <name>', 'with --test-to: a WhatsApp template (see: canale templates list)')
      .option('--param <value>', 'with --test-to: a template parameter, in order; name=value for named templates; repeatable', collect)
      .option('--language <code>', 'with --test-to: the template language (default: the synced one)')
      .option('--subject <subject>', 'the e-mail subject, with --text or --test-to'),
    [
      'canale send --topic cantieri --message lavori.md',
      'canale send --topic raccolta-differenziata --where municipio=III --message raccolta.md --dry-run',
      'canale send --topic emergenze --message allerta.md --urgent --yes --json',
      'canale send --resume cmp_7k3m9q2xaa',
      'canale send --test-to maria.rossi@example.it --message lavori.md',
      'canale send --test-to "+39 333 123 4567" --template avviso_cantieri --param Maria --param "2 dicembre" --param "via Roma"',
    ],
  ).action(
    app.action(async (raw: RawSend & CampaignFlags, ctx: Context) => {
      if (raw.testTo !== undefined) {
        const extra = (['topic', 'where', 'resume', 'channel', 'rate', 'concurrency', 'dryRun', 'urgent', 'split', 'allowFreeText', 'allowNoUnsubscribe', 'json', 'retryFailed', 'resendUnknown'] as const).find((k) => raw[k] !== undefined);
        if (extra !== undefined) throw usageError('SEND_TEST_TO_ALONE', `--test-to sends one test message: drop ${flagName(extra)}`);
        return runTestSend(parseTestSend(raw, await ctx.country()), ctx);
      }
      if (raw.template !== undefined || raw.param !== undefined || raw.language !== undefined) {
        throw usageError('SEND_TEST_FLAGS', '--template, --param and --language go with --test-to; a campaign takes its template from its message file (--message)');
      }
      if (raw.resume !== undefined) return runResume(parseResume(raw), ctx);
      return runSendCampaign(parseCampaignSend(raw), ctx);
    }),
  );
}
