import type { Command } from 'commander';
import { writeFileAtomic } from '../../adapters/fs/atomic-file.js';
import { qrForTerminal, qrMatrix } from '../../adapters/poster/qr-code.js';
import { usageError } from '../../core/errors.js';
import { internationalFormat } from '../../core/phone.js';
import { planPoster, posterSvg, type PosterLayout, type PosterText } from '../../core/signup/poster.js';
import type { SignupLink } from '../../core/signup/signup-link.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { checkOutputFile } from '../output-file.js';
import { signupLinkFor, TOPIC_OPTION_HELP } from './signup-target.js';

/** Where the poster goes: SVG on stdout (`--out -`), or a file whose extension says SVG or PNG. */
export type PosterOutput = { readonly kind: 'stdout' } | { readonly kind: 'file'; readonly file: string; readonly format: 'svg' | 'png' };

export interface SignupQrOptions {
  readonly topic?: string;
  readonly out: PosterOutput;
  /** Replace an existing --out file without asking. */
  readonly force: boolean;
}

export function parseSignupQr(raw: { topic?: string; out?: string; force?: boolean }): SignupQrOptions {
  const file = raw.out?.trim() ?? '';
  if (file === '') throw usageError('POSTER_OUT_MISSING', 'say where to write the poster: --out poster.svg or --out poster.png (--out - writes the SVG to stdout)');
  const extension = /\.(svg|png)$/i.exec(file)?.[1]?.toLowerCase();
  if (file !== '-' && extension !== 'svg' && extension !== 'png') {
    throw usageError('POSTER_FORMAT_INVALID', `--out ${raw.out}: the poster is written as SVG or PNG, as the file's extension says — name it poster.svg or poster.png (or --out - for SVG on stdout)`);
  }
  const out: PosterOutput = file === '-' ? { kind: 'stdout' } : { kind: 'file', file, format: extension === 'png' ? 'png' : 'svg' };
  return { ...(raw.topic === undefined ? {} : { topic: raw.topic }), out, force: raw.force === true };
}

/** What the poster says, in Italian as the citizens who read it: the city, the topic, what to do, and the fallback. */
export function posterTextFor(link: SignupLink, cityName: string): PosterText {
  return {
    cityName,
    headline: link.topic?.label ?? 'Iscriviti al canale',
    hint: 'Inquadra il codice e invia il messaggio',
    fallback: [`oppure scrivi «${link.text}» su WhatsApp`, `al numero ${internationalFormat(link.number)}`],
    url: link.url,
  };
}

async function posterBytes(layout: PosterLayout, format: 'svg' | 'png'): Promise<string | Buffer> {
  if (format === 'svg') return posterSvg(layout);
  // resvg is a native library: loaded only for a PNG
  const { posterPng } = await import('../../adapters/poster/poster-png.js');
  return posterPng(layout);
}

/**
 * Writes the sign-up poster: the QR code of the link with the city's name and the topic under it. The drawing of
 * the code in the terminal is for the person at it, not data: it goes to stderr, and only when that is a terminal.
 */
export async function runSignupQr(options: SignupQrOptions, ctx: Context): Promise<void> {
  const link = await signupLinkFor(ctx, options.topic);
  const settings = await ctx.settings();
  const { out } = options;
  const target = out.kind === 'file' ? { ...out, path: await checkOutputFile(ctx, out.file, '--out', options.force) } : out;
  const cityName = settings.get('city.name');
  if (settings.source('city.name') === 'default') {
    ctx.ui.warn(`city.name is not set: the poster says "${cityName}" — set it with: canale config set city.name "Comune di …"`);
  }
  const layout = planPoster(qrMatrix(link.url), posterTextFor(link, cityName));
  if (target.kind === 'stdout') ctx.deps.io.stdout.write(posterSvg(layout));
  else await writeFileAtomic(target.path, await posterBytes(layout, target.format));
  if (ctx.deps.io.stderr.isTTY) ctx.ui.info(await qrForTerminal(link.url, (line) => ctx.ui.errColor.black.bgWhiteBright(line)));
  if (target.kind === 'file') ctx.ui.success(`wrote the poster to ${target.file}: its QR code opens ${link.url}`);
}

export function registerSignupQr(signup: Command, app: App): void {
  withExamples(
    signup
      .command('qr')
      .description("write a poster: the sign-up link's QR code with the city's name and the topic under it (SVG or PNG)")
      .option('--topic <topic>', TOPIC_OPTION_HELP)
      .option('--out <file>', 'the poster file, outside the home: .svg or .png by its name; - writes SVG to stdout')
      .option('--force', 'replace the --out file if it exists'),
    ['canale signup qr --topic cantieri --out cantieri.png', 'canale signup qr --out iscriviti.svg', 'canale signup qr --topic scuola --out - > scuola.svg'],
  ).action(app.action(async (raw: Parameters<typeof parseSignupQr>[0], ctx: Context) => runSignupQr(parseSignupQr(raw), ctx)));
}
