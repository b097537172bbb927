import { describe, expect, it } from 'vitest';
import { sendProgress } from '../../src/ui/progress.js';
import { Ui } from '../../src/ui/ui.js';
import { FakeClock, fakeDeps } from '../support/fake-deps.js';

/** A send's progress in a pipe (plain lines on stderr), driven by a fake clock: `perSecond` recipients a second for `seconds`. */
function piped() {
  const fake = fakeDeps();
  const ui = new Ui(fake.deps.io, {}, { color: false, quiet: false });
  const clock = new FakeClock();
  const progress = sendProgress(ui, clock, { whatsapp: 1000 }, { whatsapp: 80, email: 20 });
  const send = (perSecond: number, seconds: number) => {
    for (let i = 0; i < seconds; i++) {
      clock.advance(1000);
      progress.update('whatsapp', { done: perSecond });
    }
  };
  return { progress, send, lines: () => fake.stderr.text.trim().split('\n') };
}

describe('send progress', () => {
  it('says when the provider throttles, at what rate, that nobody is lost, and when it stops', () => {
    const p = piped();
    p.send(80, 5);
    p.progress.rate('whatsapp', 40);
    p.progress.rate('whatsapp', 20); // halved again a second later: the same episode, no new line
    expect(p.lines()).toEqual(['whatsapp: the provider is throttling: 40/s, retrying, nobody is lost']);
    p.progress.rate('whatsapp', 80);
    expect(p.lines().at(-1)).toBe('whatsapp: the provider stopped throttling: back to 80/s');
  });

  it('gives the time left at the rate the send really goes, not the configured one', () => {
    const p = piped();
    p.send(80, 5);
    p.progress.rate('whatsapp', 8);
    p.send(8, 5);
    // 400 + 40 done at 10 s; 560 left at 8/s: 70 s (at the configured 80/s it would say 7 s)
    expect(p.lines().at(-1)).toBe('progress: whatsapp 440/1000 (8/s, ETA 70 s, 0 failed; the provider is throttling: 8/s, retrying, nobody is lost)');
  });

  it('says nothing after it stopped', () => {
    const p = piped();
    p.progress.stop();
    p.progress.rate('whatsapp', 8);
    p.send(80, 12);
    expect(p.lines()).toEqual(['']);
  });
});
