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

  it('arms the situations of the flags, numbers read in the country as the endpoints read them', () => {
    const options = parseSandbox(
      {
        pairLimit: ['333 123 4567:3', 'US.13491208655302741918'],
        error: ['131048', '999999:2'],
        failedReceipt: ['+39 333 000 0001:131049'],
        slow: ['+39 347 123 4567:5000'],
        reset: ['347 123 4567'],
      },
      'x',
    );
    expect(options.scenarios).toEqual([
      { kind: 'pair-limit', to: '393331234567', times: 3 },
      { kind: 'pair-limit', to: 'US.13491208655302741918', times: 1 },
      { kind: 'error', code: 131048 },
      { kind: 'error', code: 999999, times: 2 },
      { kind: 'failed-receipt', to: '393330000001', code: 131049 },
      { kind: 'slow', to: '393471234567', ms: 5000, times: 1 },
      { kind: 'reset', to: '393471234567', times: 1 },
    ]);
    expect(parseSandbox({}, 'x', 'CH')).toMatchObject({ scenarios: [], country: 'CH' });
  });

  it.each([
    [{ pairLimit: ['+39 333 123 4567:many'] }, /--pair-limit "\+39 333 123 4567:many": expected NUMBER\[:TIMES\]/],
    [{ pairLimit: ['maria'] }, /--pair-limit "maria": "to" \(maria\) is neither a phone number nor a user id/],
    [{ error: ['spam'] }, /--error "spam": "code" is a Graph error code/],
    [{ failedReceipt: ['+39 333 000 0001'] }, /--failed-receipt "\+39 333 000 0001": "code" is a Graph error code.*NUMBER:CODE/],
    [{ slow: ['+39 333 000 0001'] }, /--slow "\+39 333 000 0001": "ms" is required/],
    [{ reset: ['+39 333 000 0001:0'] }, /--reset "\+39 333 000 0001:0": "times" is a whole number from 1/],
  ])('refuses the situation flags %j', (raw, message) => {
    expect(() => parseSandbox(raw, 'x')).toThrow(message);
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
