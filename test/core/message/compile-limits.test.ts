import { describe, expect, it } from 'vitest';
import { compileMessage } from '../../../src/core/message/compile.js';
import type { MessageSpec } from '../../../src/core/message/message-spec.js';
import { DEFAULT_TOPICS } from '../../../src/core/topic.js';

const context = { topics: DEFAULT_TOPICS, knownFields: new Set(['name', 'phone', 'email', 'municipio']), templates: [] };
const spec = (body: string): MessageSpec => ({ source: 'x.md', topics: ['cantieri'], subject: 'Lavori', body });

describe('compileMessage on hostile bodies', () => {
  it('names each unknown placeholder once, the first five, cut to a readable length, and counts the rest', () => {
    const body = [`{{zona | "${'z'.repeat(200)}"}}`, '{{zona}}', '{{zona}}', ...Array.from({ length: 1000 }, (_, i) => `{{campo${i}}}`)].join(' ');
    const result = compileMessage(spec(body), context);
    expect(result.ok).toBe(false);
    // (the body is also too long for WhatsApp, told apart)
    const problems = (result.ok ? [] : result.problems).filter((p) => p.includes('placeholder'));
    expect(problems).toHaveLength(6);
    expect(problems[0]).toBe(`body: unknown placeholder {{zona | "${'z'.repeat(50)}…(213 characters) — use nome, email, telefono or an attribute: municipio`);
    expect(problems[1]).toMatch(/^body: unknown placeholder \{\{zona\}\} — /);
    expect(problems[5]).toBe('body: … and 997 more unknown placeholders');
  });

  it('tells Markdown nested too deep for the reader as a problem of the body, not a crash', () => {
    const result = compileMessage(spec(`${'>'.repeat(5000)} x`), context);
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/^body: the Markdown nests too deeply to be read/)] });
  });
});
