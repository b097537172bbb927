import type { Settings } from '../../core/settings.js';
import type { Template } from '../../core/template.js';

/** A line of `doctor` (its Check). */
interface SignupCheck {
  readonly name: string;
  readonly ok: boolean | 'warn';
  readonly detail: string;
}

const isLocal = (url: URL) => url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';

/**
 * `doctor`'s look at the sign-up page (`/iscriviti` of `webhook serve`): off until the privacy notice is set; then
 * it needs the public URL over HTTPS (http only on this machine, for trying it), the secret that signs its forms,
 * a way to send the confirmation e-mail, and — for WhatsApp sign-ups — the city's number or an approved template.
 */
export function signupPageChecks(settings: Settings, emailTransport: string | undefined, templates: readonly Template[], pending: number): SignupCheck[] {
  const name = 'sign-up page';
  const notice = settings.get('privacy.noticeUrl');
  if (notice === undefined) return [{ name, ok: true, detail: 'off (GET /iscriviti answers 404) — to open it set privacy.noticeUrl, publicUrl and unsubscribeSecret: see README "The sign-up page"' }];
  const missing = [settings.has('publicUrl') ? undefined : 'publicUrl', settings.has('unsubscribeSecret') ? undefined : 'unsubscribeSecret'].filter((k) => k !== undefined);
  if (missing.length > 0) return [{ name, ok: false, detail: `privacy.noticeUrl is set but the page is off without ${missing.join(' and ')} — set with: canale config set ${missing[0]} …` }];
  const checks: SignupCheck[] = [];
  const site = new URL(settings.get('publicUrl') ?? '');
  if (site.protocol !== 'https:') {
    checks.push({ name, ok: isLocal(site) ? 'warn' : false, detail: `publicUrl ${site.origin} is not https: citizens' browsers must reach the page over HTTPS (http only to try it on this machine) — set with: canale config set publicUrl https://…` });
  }
  if (new URL(notice).protocol !== 'https:') checks.push({ name, ok: 'warn', detail: `privacy.noticeUrl ${notice} is not https` });
  if (emailTransport !== 'smtp') checks.push({ name, ok: 'warn', detail: 'confirmation e-mails go to the outbox, not to citizens: set CANALE_SMTP_URL and CANALE_EMAIL_FROM' });
  const template = settings.get('signup.whatsappTemplate');
  if (template !== undefined && !templates.some((t) => t.name === template && t.status === 'APPROVED')) {
    checks.push({ name, ok: false, detail: `signup.whatsappTemplate ${template} is not an approved template canale has synced: the page falls back to CONFERMA — run: canale templates sync` });
  }
  if (template === undefined && !settings.has('whatsapp.number')) {
    checks.push({ name, ok: 'warn', detail: 'WhatsApp sign-ups are told to write CONFERMA and the code with no link to tap: set whatsapp.number (canale config set whatsapp.number +39…)' });
  }
  if (checks.length === 0) checks.push({ name, ok: true, detail: `on at ${site.origin}/iscriviti, notice version ${settings.get('privacy.noticeVersion')}; ${pending} sign-up(s) waiting for their confirmation` });
  return checks;
}
