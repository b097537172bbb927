import cliProgress from 'cli-progress';
import type { Clock } from '../core/ports.js';
import type { Channel } from '../core/subscriber.js';
import type { Ui } from './ui.js';

export interface ChannelProgress {
  readonly total: number;
  done: number;
  failed: number;
}

/** Progress of a send, per channel: what `send` reports as it goes. */
export interface SendProgress {
  update(channel: Channel, change: { done?: number; failed?: number }): void;
  stop(): void;
}

const LABEL: Readonly<Record<Channel, string>> = { whatsapp: 'WhatsApp', email: 'E-mail  ' };

/**
 * On a terminal: one cli-progress bar per channel on stderr — done / total, rate, ETA, failures so far. Not a
 * terminal: a plain line at most every 10 seconds, so cron logs stay readable. `--quiet`: nothing.
 */
export function sendProgress(ui: Ui, clock: Clock, totals: Readonly<Partial<Record<Channel, number>>>): SendProgress {
  const channels = (Object.keys(totals) as Channel[]).filter((c) => (totals[c] ?? 0) > 0);
  const state = new Map<Channel, ChannelProgress>(channels.map((c) => [c, { total: totals[c] ?? 0, done: 0, failed: 0 }]));
  const started = clock.now().getTime();
  if (ui.options.quiet || channels.length === 0) return { update: (channel, change) => apply(state, channel, change), stop: () => undefined };
  if (ui.io.stderr.isTTY) {
    const multi = new cliProgress.MultiBar(
      {
        stream: ui.io.stderr as unknown as NodeJS.WritableStream,
        format: `{label} {bar} {value}/{total} · {speed}/s · ETA {eta_formatted} · failed {failed}`,
        barCompleteChar: '█',
        barIncompleteChar: '░',
        hideCursor: true,
        clearOnComplete: false,
        noTTYOutput: false,
        etaBuffer: 200,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    const bars = new Map(channels.map((c) => [c, multi.create(state.get(c)?.total ?? 0, 0, { label: LABEL[c], failed: 0, speed: 0 })]));
    return {
      update(channel, change) {
        const s = apply(state, channel, change);
        const seconds = Math.max(0.001, (clock.now().getTime() - started) / 1000);
        bars.get(channel)?.update(s.done, { failed: s.failed, speed: Math.round(s.done / seconds) });
      },
      stop: () => multi.stop(),
    };
  }
  let lastLine = started;
  const line = () => {
    const seconds = Math.max(0.001, (clock.now().getTime() - started) / 1000);
    const parts = channels.map((c) => {
      const s = state.get(c) as ChannelProgress;
      return `${c} ${s.done}/${s.total} (${Math.round(s.done / seconds)}/s, ${s.failed} failed)`;
    });
    ui.info(`progress: ${parts.join(' · ')}`);
  };
  return {
    update(channel, change) {
      apply(state, channel, change);
      const now = clock.now().getTime();
      if (now - lastLine >= 10_000) {
        lastLine = now;
        line();
      }
    },
    stop: () => undefined,
  };
}

function apply(state: Map<Channel, ChannelProgress>, channel: Channel, change: { done?: number; failed?: number }): ChannelProgress {
  const s = state.get(channel) ?? { total: 0, done: 0, failed: 0 };
  s.done += change.done ?? 0;
  s.failed += change.failed ?? 0;
  state.set(channel, s);
  return s;
}
