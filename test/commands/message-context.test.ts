import { describe, expect, it } from 'vitest';
import { syncedTemplates, templateInfoOf } from '../../src/commands/message-context.js';
import { checkTemplateUse } from '../../src/core/message/template-check.js';
import type { Template } from '../../src/core/template.js';
import { aStore } from '../support/builders.js';
import { sandboxTemplates } from '../support/sandbox-templates.js';

const stored = sandboxTemplates();

const named = (name: string): Template => {
  const found = stored.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no sandbox template ${name}`);
  return found;
};

describe('templateInfoOf', () => {
  it('takes name, language, status, category, format and the body text of a stored template', () => {
    expect(templateInfoOf(named('avviso_cantieri'))).toEqual({
      name: 'avviso_cantieri',
      language: 'it',
      status: 'APPROVED',
      category: 'UTILITY',
      parameterFormat: 'positional',
      body: 'Gentile {{1}}, dal {{2}} sono previsti lavori in {{3}}. Possibili disagi alla circolazione.',
    });
  });

  it.each([
    ['raccolta_rifiuti', 'named', 'APPROVED', 'UTILITY'],
    ['allerta_emergenza', 'positional', 'APPROVED', 'UTILITY'],
    ['evento_cittadino', 'positional', 'PAUSED', 'MARKETING'],
  ])('%s: %s, %s, %s', (name, parameterFormat, status, category) => {
    expect(templateInfoOf(named(name))).toMatchObject({ name, parameterFormat, status, category });
  });

  it('leaves header, footer and buttons out of the body the parameters are checked against', () => {
    const info = templateInfoOf(named('allerta_emergenza'));
    expect(info.body).toBe('Allerta {{1}} dal {{2}}: {{3}}. Segui gli aggiornamenti sul sito del Comune.');
    expect(Object.keys(info).sort()).toEqual(['body', 'category', 'language', 'name', 'parameterFormat', 'status']);
  });
});

describe('syncedTemplates', () => {
  it('is empty before the first sync', () => {
    expect(syncedTemplates(aStore())).toEqual([]);
  });

  it('maps every stored template, in order, so the checker finds them', () => {
    const data = { ...aStore(), templates: stored };
    const templates = syncedTemplates(data);
    expect(templates.map((t) => t.name)).toEqual(['avviso_cantieri', 'raccolta_rifiuti', 'chiusura_scuole', 'allerta_emergenza', 'evento_cittadino']);
    expect(checkTemplateUse({ template: 'raccolta_rifiuti', language: 'it', params: { nome: 'Maria', giorno: 'lunedì', materiale: 'carta' } }, templates).problems).toEqual([]);
    expect(checkTemplateUse({ template: 'avviso_cantieri', language: 'it', params: ['Maria', '2 dicembre'] }, templates).problems).toEqual([
      'whatsapp.params: "avviso_cantieri" takes 3 parameter(s), the message gives 2',
    ]);
    expect(checkTemplateUse({ template: 'evento_cittadino', language: 'it', params: ['la festa', 'sabato'] }, templates).problems.join()).toMatch(/is PAUSED, not APPROVED/);
  });
});
