import { describe, expect, it } from 'vitest';
import { checkTemplateUse, fillTemplateBody, hydratedBodyProblem, type TemplateInfo } from '../../../src/core/message/template-check.js';
import type { TemplateUse } from '../../../src/core/message/message-spec.js';
import { placeholdersOf } from '../../../src/core/template.js';

const cantieri: TemplateInfo = {
  name: 'avviso_cantieri',
  language: 'it',
  status: 'APPROVED',
  category: 'UTILITY',
  parameterFormat: 'positional',
  body: 'Ciao {{1}}, dal {{3}} {{2}} è chiusa per lavori. Dettagli sul sito del Comune.',
};
const scuola: TemplateInfo = { name: 'chiusura_scuole', language: 'it', status: 'PAUSED', category: 'UTILITY', parameterFormat: 'named', body: 'Il {{giorno}} la scuola {{scuola}} è chiusa.' };
const english: TemplateInfo = { ...cantieri, language: 'en', body: 'Hi {{1}}, {{2}} is closed from {{3}}.' };
const all = [cantieri, scuola, english];

const use = (overrides: Partial<TemplateUse>): TemplateUse => ({ template: 'avviso_cantieri', language: 'it', params: ['a', 'b', 'c'], ...overrides });

describe('checkTemplateUse', () => {
  it('accepts an approved template with the right parameters', () => {
    expect(checkTemplateUse(use({}), all)).toEqual({ template: cantieri, problems: [] });
  });

  it.each<[string, Partial<TemplateUse>, RegExp]>([
    ['an unknown template', { template: 'avviso' }, /there is no template "avviso" \(synced: avviso_cantieri, chiusura_scuole\) — run: canale templates sync/],
    ['a missing language', { language: 'de' }, /has no "de" version \(it has: it, en\)/],
    ['too few parameters', { params: ['a'] }, /takes 3 parameter\(s\), the message gives 1/],
    ['named parameters for a positional template', { params: { nome: 'x' } }, /takes 3 positional parameter\(s\)/],
    ['a paused template', { template: 'chiusura_scuole', params: { giorno: 'x', scuola: 'y' } }, /is PAUSED, not APPROVED/],
    ['a missing named parameter', { template: 'chiusura_scuole', params: { giorno: 'x' } }, /missing scuola/],
    ['an unknown named parameter', { template: 'chiusura_scuole', params: { giorno: 'x', scuola: 'y', via: 'z' } }, /has no parameter via/],
    ['positional parameters for a named template', { template: 'chiusura_scuole', params: ['x', 'y'] }, /takes named parameters \(giorno, scuola\)/],
  ])('refuses %s', (_label, overrides, problem) => {
    expect(checkTemplateUse(use(overrides), all).problems.join('\n')).toMatch(problem);
  });
});

describe('filling the template body', () => {
  it('puts positional and named parameters in their slots', () => {
    expect(placeholdersOf(cantieri.body)).toEqual(['1', '3', '2']);
    expect(fillTemplateBody(cantieri, { format: 'positional', values: ['Maria', 'via Nazionale', '2 dicembre'] })).toBe(
      'Ciao Maria, dal 2 dicembre via Nazionale è chiusa per lavori. Dettagli sul sito del Comune.',
    );
    expect(fillTemplateBody(scuola, { format: 'named', values: { giorno: 'giovedì', scuola: 'Pascoli' } })).toBe('Il giovedì la scuola Pascoli è chiusa.');
  });

  it('knows the 1,024-character limit, counted as the filled body would be', () => {
    const named = { format: 'named', values: { giorno: 'giovedì', scuola: 'Pascoli' } } as const;
    const positional = { format: 'positional', values: ['Maria', 'via Nazionale', '2 dicembre'] } as const;
    for (const [template, parameters] of [[scuola, named], [cantieri, positional]] as const) {
      const filled = fillTemplateBody(template, parameters).length;
      const fits = { ...template, body: `${'x'.repeat(1024 - filled)}${template.body}` };
      const over = { ...template, body: `${'x'.repeat(1025 - filled)}${template.body}` };
      expect(hydratedBodyProblem(fits, parameters)).toBeUndefined();
      expect(hydratedBodyProblem(over, parameters)).toMatch(/1025 characters, over WhatsApp's limit of 1024/);
    }
    // a slot the parameters leave empty stays as written, and counts as such
    const unfilled = { ...scuola, body: `${'x'.repeat(1024 - '{{scuola}}'.length)}{{scuola}}` };
    expect(hydratedBodyProblem(unfilled, { format: 'named', values: {} })).toBeUndefined();
    expect(hydratedBodyProblem(unfilled, { format: 'named', values: { scuola: 'Pascoli Due' } })).toMatch(/1025 characters/);
  });
});
