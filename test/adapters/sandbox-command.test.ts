import { describe, expect, it } from 'vitest';
import { parseSandbox } from '../../src/commands/sandbox.js';

describe('parseSandbox', () => {
  it('takes the defaults, and numbers written any way', () => {
    expect(parseSandbox({}, 'x')).toMatchObject({ whatsappPort: 8787, smtpPort: 2525, notOnWhatsApp: [], openWindow: [], reject: [], tempfail: [] });
    expect(parseSandbox({ whatsappPort: '0', mps: '80', failRate: '0.05', latency: '20', notOnWhatsapp: ['+39 333 000 0000'], openWindow: ['39 347-1234567'] }, 'x')).toMatchObject({
      whatsappPort: 0,
      mps: 80,
      failRate: 0.05,
      latencyMs: 20,
      notOnWhatsApp: ['393330000000'],
      openWindow: ['393471234567'],
    });
    // written as an office writes them, without +39: the same digits a send posts
    expect(parseSandbox({ notOnWhatsapp: ['333 000 0000', '0039 347 1234567'], openWindow: ['(+39) 333.123.4567'] }, 'x')).toMatchObject({
      notOnWhatsApp: ['393330000000', '393471234567'],
      openWindow: ['393331234567'],
    });
    expect(parseSandbox({}, 'abc').mailDir).toMatch(/canale-sandbox-abc$/);
  });

  it.each([
    [{ whatsappPort: '70000' }, /--whatsapp-port 70000: expected a port number/],
    [{ mps: '0' }, /--mps 0: expected a number of requests a second greater than 0/],
    [{ failRate: '5' }, /--fail-rate 5: expected a share between 0 and 1/],
    [{ latency: 'slow' }, /--latency slow: expected milliseconds/],
    [{ webhookUrl: 'localhost:8080' }, /--webhook-url localhost:8080: expected an http/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseSandbox(raw, 'x')).toThrow(message);
  });
});
