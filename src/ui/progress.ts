import cliProgress from 'cli-progress';
import type { Clock } from '../core/ports.js';
import type { Channel } from '../core/subscriber.js';
import type { Ui } from './ui.js';

/** Progress of a send, per channel: what `send` reports as it goes. */
export interface SendProgress {
  update(channel: Channel, change: { done?: number; failed?: number }): void;
  /**
   * The rate the channel may send at now: lowered because the provider throttled, or grown back towards the
   * configured one. While it is below the configured rate, the progress says that the provider throttles.
   */
  rate(channel: Channel, rate: number): void;
  /** Stops and clears the bars (the report follows); nothing is drawn or printed after. Safe to call twice. */
  stop(): void;
}

const LABEL: Readonly<Record<Channel, string>> = { whatsapp: 'WhatsApp', email: 'E-mail  ' };
/** The achieved rate is measured over this much of the latest sending. */
const SPEED_WINDOW_MS = 5_000;
/** In a pipe, a progress line at most this often. */
const LINE_EVERY_MS = 10_000;

interface ChannelState {
  readonly total: number;
  done: number;
  failed: number;
  readonly configured: number;
  /** The rate the send may go at now: the configured one, or less while the provider throttles. */
  allowed: number;
  /** When recent recipients were finished, for the achieved rate. */
  readonly recent: number[];
}

/** "40 s", "3 min", "1.2 h". */
function eta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function rounded(rate: number): string {
  return rate >= 10 ? String(Math.round(rate)) : String(Math.round(rate * 10) / 10);
}

/**
 * What a channel's progress says beyond done / total: the achieved rate (the last few seconds), the time left at
 * the rate it really goes — never faster than what is allowed now, so a throttled send's ETA grows at once — and,
 * while the provider throttles, that it does and that nobody is lost.
 */
export function describeChannel(s: Readonly<ChannelState>, now: number, started: number): { speed: string; eta: string; note: string } {
  const window = Math.min(SPEED_WINDOW_MS, Math.max(1, now - started));
  // `recent` is in time order and pruned as it grows: only its oldest few can be outside the window
  let stale = 0;
  while (stale < s.recent.length && (s.recent[stale] as number) <= now - window) stale++;
  const finished = s.recent.length - stale;
  const measured = (finished * 1000) / window;
  const going = measured > 0 ? Math.min(measured, s.allowed) : s.allowed;
  const left = s.total - s.done;
  const throttling = s.allowed < s.configured;
  return {
    speed: rounded(measured),
    eta: left <= 0 ? '0 s' : eta(left / Math.max(going, 0.001)),
    note: throttling ? `the provider is throttling: ${rounded(s.allowed)}/s, retrying, nobody is lost` : '',
  };
}

/**
 * On a terminal: one cli-progress bar per channel on stderr — done / total, achieved rate, ETA, failures, and a
 * word when the provider throttles. Not a terminal: a plain line at most every 10 seconds, so cron logs stay
 * readable, and one line when throttling starts and ends. `--quiet`: nothing.
 */
export function sendProgress(ui: Ui, clock: Clock, totals: Readonly<Partial<Record<Channel, number>>>, rates: Readonly<Record<Channel, number>>): SendProgress {
  const channels = (Object.keys(totals) as Channel[]).filter((c) => (totals[c] ?? 0) > 0);
  const state = new Map<Channel, ChannelState>(
    channels.map((c) => [c, { total: totals[c] ?? 0, done: 0, failed: 0, configured: rates[c], allowed: rates[c], recent: [] }]),
  );
  const started = clock.now().getTime();
  const apply = (channel: Channel, change: { done?: number; failed?: number }): ChannelState | undefined => {
    const s = state.get(channel);
    if (s === undefined) return undefined;
    const now = clock.now().getTime();
    s.done += change.done ?? 0;
    s.failed += change.failed ?? 0;
    for (let i = 0; i < (change.done ?? 0); i++) s.recent.push(now);
    while (s.recent.length > 0 && (s.recent[0] as number) <= now - SPEED_WINDOW_MS) s.recent.shift();
    return s;
  };
  if (ui.options.quiet || channels.length === 0) {
    return { update: (channel, change) => void apply(channel, change), rate: () => undefined, stop: () => undefined };
  }
  return ui.io.stderr.isTTY ? terminalBars(ui, clock, channels, state, started, apply) : plainLines(ui, clock, channels, state, started, apply);
}

type Apply = (channel: Channel, change: { done?: number; failed?: number }) => ChannelState | undefined;

function terminalBars(ui: Ui, clock: Clock, channels: readonly Channel[], state: Map<Channel, ChannelState>, started: number, apply: Apply): SendProgress {
  let stopped = false;
  const multi = new cliProgress.MultiBar(
    {
      stream: ui.io.stderr as unknown as NodeJS.WritableStream,
      format: `{label} {bar} {value}/{total} · {speed}/s · ETA {left} · failed {failed}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      // the bars go when the send ends or stops: the report (or "interrupted … resume with") is what stays
      clearOnComplete: true,
      noTTYOutput: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (s: ChannelState) => {
    const d = describeChannel(s, clock.now().getTime(), started);
    return { failed: s.failed, speed: d.speed, left: d.eta };
  };
  const bars = new Map(channels.map((c) => [c, multi.create(state.get(c)?.total ?? 0, 0, { label: LABEL[c], ...payload(state.get(c) as ChannelState) })]));
  /** A line under a channel's bar while its provider throttles (a bar line is cut at the terminal's width). */
  const notes = new Map<Channel, ReturnType<typeof multi.create>>();
  const redraw = (channel: Channel) => {
    const s = state.get(channel);
    if (s === undefined || stopped) return;
    bars.get(channel)?.update(s.done, payload(s));
    const note = describeChannel(s, clock.now().getTime(), started).note;
    const shown = notes.get(channel);
    if (note !== '' && shown === undefined) notes.set(channel, multi.create(1, 0, { note: `${' '.repeat(LABEL[channel].length)} ! ${note}` }, { format: '{note}' }));
    else if (note !== '') shown?.update(0, { note: `${' '.repeat(LABEL[channel].length)} ! ${note}` });
    else if (shown !== undefined) {
      multi.remove(shown);
      notes.delete(channel);
    }
  };
  return {
    update(channel, change) {
      apply(channel, change);
      redraw(channel);
    },
    rate(channel, rate) {
      const s = state.get(channel);
      if (s !== undefined) s.allowed = Math.min(rate, s.configured);
      redraw(channel);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multi.stop();
    },
  };
}

function plainLines(ui: Ui, clock: Clock, channels: readonly Channel[], state: Map<Channel, ChannelState>, started: number, apply: Apply): SendProgress {
  let lastLine = started;
  let stopped = false;
  const line = () => {
    const now = clock.now().getTime();
    const parts = channels.map((c) => {
      const s = state.get(c) as ChannelState;
      const d = describeChannel(s, now, started);
      return `${c} ${s.done}/${s.total} (${d.speed}/s, ETA ${d.eta}, ${s.failed} failed${d.note === '' ? '' : `; ${d.note}`})`;
    });
    ui.info(`progress: ${parts.join(' · ')}`);
  };
  return {
    update(channel, change) {
      apply(channel, change);
      const now = clock.now().getTime();
      if (!stopped && now - lastLine >= LINE_EVERY_MS) {
        lastLine = now;
        line();
      }
    },
    rate(channel, rate) {
      const s = state.get(channel);
      if (s === undefined || stopped) return;
      const wasThrottled = s.allowed < s.configured;
      s.allowed = Math.min(rate, s.configured);
      const isThrottled = s.allowed < s.configured;
      // a line when it starts and when it ends; the lines every 10 s say how it goes in between
      if (isThrottled && !wasThrottled) ui.info(`${channel}: the provider is throttling: ${rounded(s.allowed)}/s, retrying, nobody is lost`);
      if (!isThrottled && wasThrottled) ui.info(`${channel}: the provider stopped throttling: back to ${rounded(s.allowed)}/s`);
    },
    stop() {
      stopped = true;
    },
  };
}
