import { describe, expect, it } from 'vitest';
import { compileHtmlBody, fillHtmlBody } from '../../../src/core/message/email-html.js';

describe('compileHtmlBody at scale', () => {
  it('turns 20,000 different placeholders into slots in one pass (it took 40 s), each filled back in its place', () => {
    const body = Array.from({ length: 20_000 }, (_, i) => `{{nome | "x${i}"}}`).join(' ');
    const started = performance.now();
    const compiled = compileHtmlBody(body);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(compiled.slots).toHaveLength(20_000);
    expect(compiled.slots[19_999]).toBe('{{nome | "x19999"}}');
    const filled = fillHtmlBody(compiled, (raw) => /"(x\d+)"/.exec(raw)?.[1] ?? '?');
    expect(filled.startsWith('<p>x0 x1 x2 ')).toBe(true);
    expect(filled.endsWith(' x19998 x19999</p>\n')).toBe(true);
  });

  it('gives one slot to a placeholder written twice', () => {
    const compiled = compileHtmlBody('Ciao {{nome}}, **{{nome}}** di {{municipio}}');
    expect(compiled.slots).toEqual(['{{nome}}', '{{municipio}}']);
    expect(fillHtmlBody(compiled, (raw) => (raw === '{{nome}}' ? 'Anna' : 'II'))).toBe('<p>Ciao Anna, <strong>Anna</strong> di II</p>\n');
  });
});
