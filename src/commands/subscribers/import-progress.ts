import cliProgress from 'cli-progress';
import type { Context } from '../context.js';

/** Files smaller than this are read too fast for a bar to help. */
const LARGE_FILE = 1 << 20;
/** Off a terminal, a plain progress line at most this often, so cron logs stay readable. */
const PLAIN_EVERY_MS = 5_000;

export interface Progress {
  update(doneBytes: number, totalBytes: number): void;
  stop(): void;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/**
 * Progress of reading a large file, on stderr only: a bar when stderr is a terminal, else a plain line every few
 * seconds (by the injected clock); nothing for small files or with --quiet.
 */
export function startProgress(ctx: Context, totalBytes: number, label: string): Progress {
  const stderr = ctx.deps.io.stderr;
  if (ctx.ui.options.quiet || totalBytes < LARGE_FILE) return { update: () => undefined, stop: () => undefined };
  if (!stderr.isTTY) {
    let last = ctx.deps.clock.now().getTime();
    return {
      update(done, total) {
        const now = ctx.deps.clock.now().getTime();
        if (now - last < PLAIN_EVERY_MS || done >= total) return;
        last = now;
        ctx.ui.info(`${label}: ${Math.floor((done / total) * 100)}% (${megabytes(done)} of ${megabytes(total)} MB)`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as unknown as NodeJS.WritableStream,
      format: `${label} {bar} {percentage}% | {done} of {all} MB`,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalBytes, 0, { done: megabytes(0), all: megabytes(totalBytes) });
  return {
    update: (done) => bar.update(done, { done: megabytes(done) }),
    stop: () => bar.stop(),
  };
}
