import type { Command } from 'commander';
import { chooseTransport } from '../../adapters/transports/choose.js';
import { buildTransport } from '../../adapters/transports/select.js';
import { unsubscribeLinks } from '../../adapters/unsubscribe-links.js';
import { WebhookServer } from '../../adapters/http/webhook-server.js';
import { CanaleError, usageError } from '../../core/errors.js';
import type { PreferencesRecord, UnsubscribeRecord } from '../../core/ports.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { emailUnsubscribe } from './email-unsubscribe.js';
import { EarlyOptOuts } from './early-optouts.js';
import { EventApplier } from './event-applier.js';
import { runWebhookStatus } from './webhook-status.js';
import { RateLimiter } from '../../adapters/http/rate-limit.js';
import type { Transport } from '../../core/transport.js';
import { withoutExpired } from '../../core/signup/pending-signups.js';
import { webSignup } from './web-signup.js';

const RECEIPT_DAYS = 7;
/** Posts to the sign-up pages one address may make in SIGNUP_WINDOW_MS: a family behind one router, not a bot. */
const SIGNUP_POSTS = 10;
const SIGNUP_WINDOW_MS = 10 * 60_000;
/** How often sign-ups past their time are deleted while the server runs (each change of the book does it too). */
const EXPIRY_MS = 60 * 60_000;

export interface WebhookServeOptions {
  readonly host: string;
  readonly port: number;
}

export function parseWebhookServe(raw: { host?: string; port?: string }): WebhookServeOptions {
  const port = Number(raw.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('WEBHOOK_PORT_INVALID', `--port ${raw.port ?? ''}: expected a port number (0 picks a free one)`);
  return { host: raw.host ?? '127.0.0.1', port };
}

/**
 * Runs the webhook server until Ctrl-C or SIGTERM. The bound address goes to stdout as its first line (the readiness
 * signal scripts and tests wait for); one line per request goes to stderr. A stop lets requests in progress finish.
 */
export async function runWebhookServe(options: WebhookServeOptions, ctx: Context, stop: Promise<void>): Promise<void> {
  const settings = await ctx.settings();
  const appSecret = settings.get('whatsapp.appSecret');
  const verifyToken = settings.get('whatsapp.verifyToken');
  if (appSecret === undefined) ctx.ui.warn('no CANALE_WHATSAPP_APP_SECRET set: WhatsApp webhooks are refused (401) until it is — set it or: canale config set whatsapp.appSecret SECRET');
  if (verifyToken === undefined) ctx.ui.warn("no CANALE_WHATSAPP_VERIFY_TOKEN set: Meta's handshake is refused (403) — set it or: canale config set whatsapp.verifyToken TOKEN");
  const home = ctx.paths.home;
  const ports = await ctx.ports();
  const choice = chooseTransport('whatsapp', settings);
  if (choice.warning !== undefined) ctx.ui.warn(`confirmations to citizens: ${choice.warning}`);
  const replies = buildTransport(choice, settings, { home, clock: ctx.deps.clock });
  const receipts = ports.campaigns.receipts();
  // receipts come for a week after a send (Meta redelivers for up to 7 days): those campaigns are read before listening
  const since = ctx.deps.clock.now().getTime() - RECEIPT_DAYS * 24 * 60 * 60 * 1000;
  const { campaigns, damaged } = await ports.campaigns.scan();
  // a damaged campaign folder never stops the server: it is said once, and the rest is served
  if (damaged.length > 0) ctx.ui.warn(`${damaged.length} damaged campaign folder(s): ${damaged.map((d) => `${d.id}: ${d.problem}`).join('; ')} — see: canale doctor`);
  await receipts.warm(campaigns.filter((c) => Date.parse(c.startedAt ?? c.createdAt) >= since).map((c) => c.id));
  const applier = new EventApplier({
    ports,
    receipts,
    streaks: await ports.events.streaks(),
    unreachableAfter: settings.get('whatsapp.unreachableAfter'),
    replies,
    notice: { version: settings.get('privacy.noticeVersion'), ...(settings.has('privacy.noticeUrl') ? { url: settings.get('privacy.noticeUrl') as string } : {}) },
    clock: ctx.deps.clock,
    ids: ctx.deps.ids,
    warn: (line) => ctx.ui.warn(line),
    // one line per batch, beside the request lines: what was applied, how much waits, the store writes so far
    onBatch: (b) => {
      if (b.lines > 0 || b.recorded > 0) {
        ctx.deps.io.stderr.write(`${ctx.deps.clock.now().toISOString()} applied lines=${b.lines} recorded=${b.recorded} waiting=${b.waiting} store-writes=${b.cursor.storeWrites}\n`);
      }
    },
  });
  // the request path only appends to the log: each entry on disk wakes the applier, which does the rest
  const log = ports.events;
  log.onRecorded(() => applier.wake());
  await applier.start();
  // and a STOP also goes to the opt-out feed before the 200, so a running send skips them within half a second
  const early = new EarlyOptOuts(log, () => applier.catalogue);
  if (!settings.has('unsubscribeSecret')) {
    ctx.ui.warn('no CANALE_UNSUBSCRIBE_SECRET set: e-mail unsubscribe links are refused (403) until it is — set it with: canale config set unsubscribeSecret SECRET (read at each request: no restart needed)');
  }
  if (!settings.has('publicUrl')) {
    ctx.ui.warn('no CANALE_PUBLIC_URL set: e-mails are sent without an unsubscribe link — set the public address of this server with: canale config set publicUrl https://…');
  }
  // the sign-up page's e-mails go through the e-mail transport, built at the first e-mail sign-up
  let email: Transport | undefined;
  const signup = webSignup({
    store: ports.subscribers,
    signups: ports.signups,
    settings: () => ctx.settings(),
    clock: ctx.deps.clock,
    ids: ctx.deps.ids,
    limiter: new RateLimiter(SIGNUP_POSTS, SIGNUP_WINDOW_MS, ctx.deps.clock),
    senders: { email: () => (email ??= buildTransport(chooseTransport('email', settings), settings, { home, clock: ctx.deps.clock })), whatsapp: () => replies },
    recordConfirmation: (at, signupId) => log.recordPage(at, { confirmation: { signupId, source: 'web:iscriviti' } }),
  });
  const expire = () => ports.signups.update((book) => withoutExpired(book, ctx.now())).catch((error: unknown) => ctx.ui.warn(`deleting expired sign-ups failed, tried again in an hour: ${String(error)}`));
  await expire();
  const expiry = setInterval(() => void expire(), EXPIRY_MS);
  expiry.unref();
  if (!settings.has('privacy.noticeUrl')) ctx.ui.info('the sign-up page (GET /iscriviti) is off: it needs privacy.noticeUrl, publicUrl and unsubscribeSecret — see: canale doctor');
  const server = new WebhookServer({
    host: options.host,
    port: options.port,
    ...(appSecret === undefined ? {} : { appSecret }),
    ...(verifyToken === undefined ? {} : { verifyToken }),
    clock: ctx.deps.clock,
    log: (line) => ctx.deps.io.stderr.write(`${line}\n`),
    handlers: {
      whatsapp: async (payload) => {
        const at = ctx.deps.clock.now().toISOString();
        await early.record(at, payload);
        return 'logged';
      },
      // config.json is read again at each request: `canale config set unsubscribeSecret …` (or city.name) applies at once
      unsubscribe: async (token, method, form) => {
        const fresh = await ctx.settings();
        const links = unsubscribeLinks(fresh.get('publicUrl'), fresh.get('unsubscribeSecret'), ctx.deps.clock, fresh.get('unsubscribe.tokenDays'));
        const recorder = {
          unsubscribe: (at: string, target: UnsubscribeRecord) => Promise.all([log.recordPage(at, { unsubscribe: target }), early.recordUnsubscribe(at, target)]).then(() => undefined),
          preferences: (at: string, choice: PreferencesRecord, left: readonly string[]) => Promise.all([log.recordPage(at, { preferences: choice }), early.recordPreferences(at, choice.subscriberId, left)]).then(() => undefined),
        };
        return emailUnsubscribe(ports.subscribers, links, fresh.get('city.name'), () => ctx.now(), recorder)(token, method, form);
      },
      signup,
    },
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    await replies.close?.();
    const code = (error as NodeJS.ErrnoException).code;
    throw new CanaleError('WEBHOOK_PORT_BUSY', `cannot listen on ${options.host}:${options.port}: ${code ?? String(error)} — pick another with --port (0 picks a free one)`);
  }
  ctx.ui.out(url);
  ctx.ui.info(`canale webhook serve: listening on ${url} — POST ${url}/webhooks/whatsapp, GET|POST ${url}/u/TOKEN, GET|POST ${url}/iscriviti, GET ${url}/healthz; Ctrl-C to stop`);
  await stop;
  clearInterval(expiry);
  await server.close();
  // what was answered is applied before the server stops (a crash instead: the next start applies it from the cursor)
  await applier.close();
  await Promise.all([log.close(), receipts.close(), replies.close?.(), email?.close?.()]);
  ctx.ui.info('webhook server stopped');
}

export function registerWebhook(program: Command, app: App): void {
  const webhook = withExamples(program.command('webhook').description('receive WhatsApp receipts and replies, and what citizens choose from e-mail links (topics, unsubscribes)'), ['canale webhook serve --port 8080', 'canale webhook status']);
  withExamples(
    webhook
      .command('serve')
      .description('serve Meta webhooks (receipts, citizens\' replies) and the pages e-mail links open (preferences, unsubscribe), behind an HTTPS reverse proxy, until Ctrl-C')
      .option('--host <host>', 'address to listen on (default 127.0.0.1: put the reverse proxy in front)')
      .option('--port <port>', 'port to listen on (default 8080; 0 picks a free one)'),
    [
      'canale webhook serve',
      'canale webhook serve --port 8080',
      'CANALE_WHATSAPP_APP_SECRET=… CANALE_WHATSAPP_VERIFY_TOKEN=… canale webhook serve --host 127.0.0.1 --port 0',
    ],
  ).action(
    app.action(async (raw: { host?: string; port?: string }, ctx: Context) => {
      const untilInterrupted = ctx.deps.untilInterrupted;
      if (untilInterrupted === undefined) throw new CanaleError('WEBHOOK_NO_TERMINAL', 'the webhook server needs a way to be stopped (Ctrl-C or SIGTERM)');
      await runWebhookServe(parseWebhookServe(raw), ctx, untilInterrupted());
    }),
  );
  withExamples(
    webhook
      .command('status')
      .description("the webhook server's backlog: events received, applied, waiting (and since when), store writes — whether it runs or not")
      .option('--json', 'print JSON'),
    ['canale webhook status', 'canale webhook status --json'],
  ).action(app.action(async (raw: { json?: boolean }, ctx: Context) => runWebhookStatus({ json: raw.json === true }, ctx)));
}
