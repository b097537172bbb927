import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeliveryFailure } from '../../core/transport.js';
import { appendDurably, LineFeed, sizeOf } from '../fs/line-feed.js';
import { campaignDir } from './campaign-files.js';

/**
 * `<campaign>/trouble.jsonl`: account trouble the provider reported for this campaign after its requests were
 * accepted (a failed receipt about payment or a policy block, a webhook's account errors), one
 * `{"at","code","kind","reason"}` line each, appended by the webhook server and followed by the running send,
 * which stops on the first new one (resumable, the reason named). No personal data.
 */
export const troubleFile = (dir: string): string => join(dir, 'trouble.jsonl');

const POLL_MS = 500;

export function reportAccountTrouble(home: string, campaignId: string, failure: DeliveryFailure, at: string): Promise<void> {
  const line = `${JSON.stringify({ at, code: failure.code, kind: failure.kind, reason: failure.reason })}\n`;
  return appendDurably(troubleFile(campaignDir(home, campaignId as never)), line);
}

/** The last account trouble reported for a campaign, if any. */
export async function lastAccountTrouble(dir: string): Promise<{ readonly at: string; readonly code: string; readonly reason: string } | undefined> {
  const text = await readFile(troubleFile(dir), 'utf8').catch(() => '');
  for (const line of text.split('\n').reverse()) {
    try {
      const { at, code, reason } = JSON.parse(line) as { at?: unknown; code?: unknown; reason?: unknown };
      if (typeof at === 'string' && typeof code === 'string' && typeof reason === 'string') return { at, code, reason };
    } catch {
      // a torn or empty line
    }
  }
  return undefined;
}

/** The campaign the home's running send holds the send lock for (`sending.json`), if any. */
export async function runningCampaign(home: string): Promise<string | undefined> {
  const text = await readFile(join(home, 'sending.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const campaign = (JSON.parse(text) as { campaign?: unknown }).campaign;
    return typeof campaign === 'string' && campaign.startsWith('cmp_') ? campaign : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Follows a running campaign's trouble file from its end when the send starts (trouble reported before it is the
 * past: a resume goes on), aborting `signal` with the first new failure as its reason.
 */
export async function watchAccountTrouble(dir: string, trouble: AbortController, everyMs = POLL_MS): Promise<LineFeed> {
  return LineFeed.start(troubleFile(dir), await sizeOf(troubleFile(dir)), (line) => {
    if (trouble.signal.aborted) return;
    try {
      const { code, reason } = JSON.parse(line) as { code?: unknown; reason?: unknown };
      if (typeof code === 'string' && typeof reason === 'string') trouble.abort({ kind: 'fatal', code, reason } satisfies DeliveryFailure);
    } catch {
      // a torn line: the next one says it again
    }
  }, everyMs);
}
