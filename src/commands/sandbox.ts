import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CanaleError, usageError } from '../core/errors.js';
import { toE164 } from '../core/phone.js';
import { isBadRequest, readScenario } from '../adapters/sandbox/scenario-requests.js';
import type { Scenario } from '../adapters/sandbox/scenarios.js';
import { collect, withExamples, type App } from './app.js';
import type { Context } from './context.js';
import type { DmarcReject, GreylistReply } from '../adapters/sandbox/smtp-sink.js';

export interface SandboxOptions {
  readonly whatsappPort: number;
  readonly smtpPort: number;
  readonly mps?: number;
  readonly failRate?: number;
  readonly throttleRate?: number;
  readonly latencyMs?: number;
  readonly webhookUrl?: string;
  readonly notOnWhatsApp: readonly string[];
  readonly openWindow: readonly string[];
  readonly reject: readonly string[];
  readonly tempfail: readonly string[];
  readonly mailDir: string;
  /** Situations armed from the start: --pair-limit, --error, --failed-receipt, --slow, --reset. */
  readonly scenarios: readonly Scenario[];
  /** How numbers written without a prefix are read, by the flags and the `/sandbox/...` endpoints. */
  readonly country: string;
  /** The SMTP sink's greylisting and authentication refusals (smtp-sink.ts). */
  readonly greylist: readonly string[];
  readonly greylistTimes?: number;
  readonly greylistReply?: GreylistReply;
  readonly dmarcReject?: DmarcReject;
}

/** The sandbox account's fixed, public, fake credentials: they only open the sandbox itself. */
export const SANDBOX_ACCOUNT = {
  token: 'sandbox-token',
  phoneNumberId: '100000000000001',
  wabaId: '200000000000001',
  appSecret: 'sandbox-app-secret',
  from: 'Comune di Esempio <avvisi@comune.example.it>',
} as const;

/** The environment that points canale's WhatsApp side (sends, template sync, webhook signatures) at a sandbox. */
/** The whole environment that points canale at a running sandbox: WhatsApp and SMTP. */
export function sandboxEnv(graphUrl: string, smtpPort: number): Record<string, string> {
  return { ...whatsAppSandboxEnv(graphUrl), CANALE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, CANALE_EMAIL_FROM: SANDBOX_ACCOUNT.from };
}

export function whatsAppSandboxEnv(graphUrl: string): Record<string, string> {
  return {
    CANALE_WHATSAPP_API_URL: graphUrl,
    CANALE_WHATSAPP_TOKEN: SANDBOX_ACCOUNT.token,
    CANALE_WHATSAPP_PHONE_NUMBER_ID: SANDBOX_ACCOUNT.phoneNumberId,
    CANALE_WHATSAPP_WABA_ID: SANDBOX_ACCOUNT.wabaId,
    CANALE_WHATSAPP_APP_SECRET: SANDBOX_ACCOUNT.appSecret,
  };
}

interface RawSandbox {
  whatsappPort?: string;
  smtpPort?: string;
  mps?: string;
  failRate?: string;
  throttleRate?: string;
  latency?: string;
  webhookUrl?: string;
  notOnWhatsapp?: string[];
  openWindow?: string[];
  reject?: string[];
  tempfail?: string[];
  mailDir?: string;
  pairLimit?: string[];
  error?: string[];
  failedReceipt?: string[];
  slow?: string[];
  reset?: string[];
  greylist?: string[];
  greylistTimes?: string;
  greylistReply?: string;
  dmarcReject?: string | boolean;
}

function numberFlag(flag: string, text: string | undefined, ok: (n: number) => boolean, expected: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || !ok(n)) throw usageError('SANDBOX_FLAG_INVALID', `${flag} ${text}: expected ${expected}`);
  return n;
}

/**
 * Numbers as the Graph API writes them (digits of the E.164 form): "333 123 4567" is read in `country`, as canale
 * reads subscribers' numbers, so it matches what a send posts; a number already international stays as written.
 */
const digits = (numbers: readonly string[] | undefined, country: string): string[] =>
  (numbers ?? []).map((n) => (toE164(n, country) ?? n).replace(/\D/g, ''));

/** `VALUE` or `VALUE:N` (the last colon: a number has none, nor has a user id). */
function splitCount(text: string): [string, number | undefined] {
  const at = text.lastIndexOf(':');
  if (at < 0) return [text, undefined];
  const count = text.slice(at + 1).trim();
  return [text.slice(0, at), /^\d+$/.test(count) ? Number(count) : Number.NaN];
}

/** The situations the flags arm, each read as its `POST /sandbox/...` body is. */
function scenariosOf(raw: RawSandbox, country: string): Scenario[] {
  const read = (flag: string, text: string, form: string, kind: Scenario['kind'], body: (value: string, n: number | undefined) => Record<string, unknown>): Scenario => {
    const [value, n] = splitCount(text);
    const scenario = Number.isNaN(n) ? { problem: `expected ${form}` } : readScenario(kind, body(value, n), country);
    if (isBadRequest(scenario)) throw usageError('SANDBOX_FLAG_INVALID', `${flag} "${text}": ${scenario.problem} (${flag} ${form})`);
    return scenario;
  };
  return [
    ...(raw.pairLimit ?? []).map((t) => read('--pair-limit', t, 'NUMBER[:TIMES]', 'pair-limit', (to, times) => ({ to, times }))),
    ...(raw.error ?? []).map((t) => read('--error', t, 'CODE[:TIMES]', 'error', (code, times) => ({ code: /^\d+$/.test(code.trim()) ? Number(code) : code, times }))),
    ...(raw.failedReceipt ?? []).map((t) => read('--failed-receipt', t, 'NUMBER:CODE', 'failed-receipt', (to, code) => ({ to, code }))),
    ...(raw.slow ?? []).map((t) => read('--slow', t, 'NUMBER:MS', 'slow', (to, ms) => ({ to, ms }))),
    ...(raw.reset ?? []).map((t) => read('--reset', t, 'NUMBER[:TIMES]', 'reset', (to, times) => ({ to, times }))),
  ];
}

export function parseSandbox(raw: RawSandbox, tag: string, country = 'IT'): SandboxOptions {
  const port = (flag: string, text: string | undefined, fallback: number): number =>
    numberFlag(flag, text, (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a port number (0 picks a free one)') ?? fallback;
  if (raw.webhookUrl !== undefined && !/^https?:\/\//.test(raw.webhookUrl)) throw usageError('SANDBOX_FLAG_INVALID', `--webhook-url ${raw.webhookUrl}: expected an http:// or https:// URL`);
  const mps = numberFlag('--mps', raw.mps, (n) => n > 0, 'a number of requests a second greater than 0');
  const share = (flag: string, text: string | undefined) => numberFlag(flag, text, (n) => n >= 0 && n <= 1, 'a share between 0 and 1, such as 0.05');
  const failRate = share('--fail-rate', raw.failRate);
  const throttleRate = share('--throttle-rate', raw.throttleRate);
  const latencyMs = numberFlag('--latency', raw.latency, (n) => n >= 0, 'milliseconds, 0 or more');
  const mail = parseSinkFlags(raw);
  return {
    whatsappPort: port('--whatsapp-port', raw.whatsappPort, 8787),
    smtpPort: port('--smtp-port', raw.smtpPort, 2525),
    ...(mps === undefined ? {} : { mps }),
    ...(failRate === undefined ? {} : { failRate }),
    ...(throttleRate === undefined ? {} : { throttleRate }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(raw.webhookUrl === undefined ? {} : { webhookUrl: raw.webhookUrl }),
    notOnWhatsApp: digits(raw.notOnWhatsapp, country),
    openWindow: digits(raw.openWindow, country),
    reject: raw.reject ?? [],
    tempfail: raw.tempfail ?? [],
    mailDir: raw.mailDir ?? join(tmpdir(), `canale-sandbox-${tag}`),
    scenarios: scenariosOf(raw, country),
    country,
    ...mail,
  };
}

/** The SMTP sink's --greylist, --greylist-times, --greylist-reply and --dmarc-reject. */
function parseSinkFlags(raw: RawSandbox): Pick<SandboxOptions, 'greylist' | 'greylistTimes' | 'greylistReply' | 'dmarcReject'> {
  const greylistTimes = numberFlag('--greylist-times', raw.greylistTimes, (n) => Number.isInteger(n) && n > 0, 'a whole number of deferrals, 1 or more');
  if (raw.greylistReply !== undefined && raw.greylistReply !== 'postgrey' && raw.greylistReply !== 'milter-greylist') {
    throw usageError('SANDBOX_FLAG_INVALID', `--greylist-reply ${raw.greylistReply}: expected postgrey or milter-greylist`);
  }
  const dmarc = raw.dmarcReject === true ? 'gmail' : raw.dmarcReject;
  if (dmarc !== undefined && dmarc !== false && dmarc !== 'gmail' && dmarc !== 'dmarc-policy') {
    throw usageError('SANDBOX_FLAG_INVALID', `--dmarc-reject ${dmarc}: expected gmail (550 5.7.26) or dmarc-policy (550 5.7.1)`);
  }
  return {
    greylist: raw.greylist ?? [],
    ...(greylistTimes === undefined ? {} : { greylistTimes }),
    ...(raw.greylistReply === undefined ? {} : { greylistReply: raw.greylistReply }),
    ...(dmarc === undefined || dmarc === false ? {} : { dmarcReject: dmarc }),
  };
}

/** Starts the Graph stand-in and the SMTP sink, prints the environment that points canale at them, waits for Ctrl-C. */
export async function runSandbox(options: SandboxOptions, ctx: Context, stop: Promise<void>): Promise<void> {
  const clock = ctx.deps.clock;
  // loaded here, not at startup: smtp-server is only needed while the sandbox runs
  const [{ GraphStandIn }, { SmtpSink }] = await Promise.all([import('../adapters/sandbox/graph-stand-in.js'), import('../adapters/sandbox/smtp-sink.js')]);
  const sink = new SmtpSink({
    port: options.smtpPort,
    dir: options.mailDir,
    clock,
    reject: options.reject,
    tempfail: options.tempfail,
    ...(options.failRate === undefined ? {} : { failRate: options.failRate }),
    ...(options.throttleRate === undefined ? {} : { throttleRate: options.throttleRate }),
    greylist: options.greylist,
    ...(options.greylistTimes === undefined ? {} : { greylistTimes: options.greylistTimes }),
    ...(options.greylistReply === undefined ? {} : { greylistReply: options.greylistReply }),
    ...(options.dmarcReject === undefined ? {} : { dmarcReject: options.dmarcReject }),
  });
  const graph = new GraphStandIn({
    port: options.whatsappPort,
    ...SANDBOX_ACCOUNT,
    clock,
    ...options,
    receivedMail: () => sink.received,
    onWebhook: (update, outcome) => ctx.ui.info(`webhook ${update.status} ${update.wamid.slice(0, 18)}… → ${options.webhookUrl ?? ''}: ${outcome}`),
  });
  let graphUrl: string;
  let smtpPort: number;
  try {
    graphUrl = await graph.listen();
    smtpPort = await sink.listen();
  } catch (error) {
    await Promise.allSettled([graph.close(), sink.close()]);
    const code = (error as NodeJS.ErrnoException).code;
    throw new CanaleError('SANDBOX_PORT_BUSY', `cannot listen on 127.0.0.1: ${code ?? String(error)} — pick other ports with --whatsapp-port and --smtp-port (0 picks free ones)`);
  }
  ctx.ui.info(`canale sandbox: Graph API stand-in at ${graphUrl}, SMTP sink at 127.0.0.1:${smtpPort}, e-mails kept in ${options.mailDir}`);
  if (options.webhookUrl !== undefined) ctx.ui.info(`a citizen writes: curl -d '{"from":"+39 333 123 4567","text":"STOP"}' ${graphUrl}/sandbox/inbound`);
  ctx.ui.info(`Meta's situations on demand: curl -d '{"to":"+39 333 123 4567","times":3}' ${graphUrl}/sandbox/pair-limit (README: canale sandbox)`);
  if (options.scenarios.length > 0) ctx.ui.info(`${options.scenarios.length} situation(s) armed by the flags: curl ${graphUrl}/sandbox/scenarios lists them`);
  ctx.ui.info(`what arrived: curl ${graphUrl}/sandbox/received — point canale at the sandbox with:`);
  for (const [key, value] of Object.entries(sandboxEnv(graphUrl, smtpPort))) ctx.ui.out(`export ${key}=${value.includes(' ') ? `"${value}"` : value}`);
  ctx.ui.info('press Ctrl-C to stop');
  await stop;
  await Promise.allSettled([graph.close(), sink.close()]);
  ctx.ui.info(`sandbox stopped: ${graph.received.length} WhatsApp request(s), ${sink.received.length} e-mail(s) received`);
}

export function registerSandbox(program: Command, app: App): void {
  withExamples(
    program
      .command('sandbox')
      .description('run a local Graph API stand-in and SMTP sink on 127.0.0.1 (no Meta account needed), until Ctrl-C')
      .option('--whatsapp-port <port>', 'port of the Graph API stand-in (default 8787; 0 picks a free one)')
      .option('--smtp-port <port>', 'port of the SMTP sink (default 2525; 0 picks a free one)')
      .option('--mps <n>', 'answer 130429 above this many messages a second')
      .option('--fail-rate <share>', 'answer this share of messages with a server error (WhatsApp 131000, e-mail 450), e.g. 0.02')
      .option('--throttle-rate <share>', 'answer this share of messages with throttling (WhatsApp 130429, e-mail 421), e.g. 0.05')
      .option('--latency <ms>', 'wait this long before answering each message')
      .option('--webhook-url <url>', 'POST signed status webhooks (sent, delivered, read) here, and citizens\' messages made up with POST /sandbox/inbound')
      .option('--not-on-whatsapp <number>', 'a number that gets a failed status (131026); repeatable', collect)
      .option('--open-window <number>', 'a number that wrote just now, so free form (text, lists, buttons) is allowed for 24 h; repeatable', collect)
      .option('--reject <email>', 'answer 550 to this recipient; repeatable', collect)
      .option('--tempfail <email>', 'answer 451 to this recipient; repeatable', collect)
      .option('--mail-dir <dir>', 'where received e-mails are kept (default: a folder under the system temp dir)')
      .option('--pair-limit <number[:times]>', 'answer 131056 (pair rate limit) to the next message(s) to this number (default once); repeatable', collect)
      .option('--error <code[:times]>', 'answer this Graph error to every message, or to the next TIMES; repeatable', collect)
      .option('--failed-receipt <number:code>', 'accept messages to this number, then post a failed status with CODE (e.g. 131049); repeatable', collect)
      .option('--slow <number:ms>', 'accept the next message to this number but answer only after MS milliseconds; repeatable', collect)
      .option('--reset <number[:times]>', 'accept the next message(s) to this number, then reset the connection unanswered; repeatable', collect)
      .option('--greylist <email>', 'greylist this recipient: deferred as Postfix with postgrey does (450 4.2.0), then accepted; repeatable', collect)
      .option('--greylist-times <n>', 'deferrals of each greylisted recipient before it is accepted (default 1)')
      .option('--greylist-reply <server>', 'postgrey (450 4.2.0 …Greylisted, the default) or milter-greylist (451 4.7.1)')
      .option('--dmarc-reject [reply]', 'refuse every e-mail as unauthenticated at the end of DATA: gmail (550 5.7.26, the default) or dmarc-policy (550 5.7.1)'),
    [
      'canale sandbox',
      'canale sandbox --throttle-rate 0.05 --fail-rate 0.02',
      'canale sandbox --mps 80 --fail-rate 0.02 --webhook-url http://127.0.0.1:8080/webhooks/whatsapp',
      'canale sandbox --not-on-whatsapp "+39 333 000 0000" --reject nessuno@example.it',
      'canale sandbox --pair-limit "+39 333 123 4567:3" --failed-receipt "+39 333 000 0001:131049" --webhook-url http://127.0.0.1:8080/webhooks/whatsapp',
      'canale sandbox --greylist maria.rossi@example.it --greylist-times 2',
    ],
  ).action(
    app.action(async (raw: RawSandbox, ctx: Context) => {
      const untilInterrupted = ctx.deps.untilInterrupted;
      if (untilInterrupted === undefined) throw new CanaleError('SANDBOX_NO_TERMINAL', 'the sandbox needs a way to be stopped (Ctrl-C)');
      await runSandbox(parseSandbox(raw, ctx.deps.ids.next(''), await ctx.country()), ctx, untilInterrupted());
    }),
  );
}
