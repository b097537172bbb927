import { describe, expect, it } from 'vitest';
import { syncedTemplates } from '../../src/commands/message-context.js';
import { templateInfoOf } from '../../src/core/message/template-info.js';
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
  it('takes name, language, status, category, format and every component of a stored template', () => {
    expect(templateInfoOf(named('avviso_cantieri'))).toEqual({
      name: 'avviso_cantieri',
      language: 'it',
      status: 'APPROVED',
      category: 'UTILITY',
      parameterFormat: 'positional',
      body: 'Gentile {{1}}, dal {{2}} sono previsti lavori in {{3}}. Possibili disagi alla circolazione.',
      header: { format: 'TEXT', text: 'Lavori stradali' },
      footer: 'Comune di Esempio — messaggio automatico',
    });
    expect(templateInfoOf(named('allerta_meteo'))).toMatchObject({
      header: { format: 'IMAGE' },
      buttons: [
        { type: 'PHONE_NUMBER', text: 'Protezione civile', phoneNumber: '+390600000000', parameters: [] },
        { type: 'URL', text: 'Mappa aggiornata', url: 'https://comune.example.it/{{1}}', parameters: ['1'] },
      ],
    });
  });

  it.each([
    ['raccolta_rifiuti', 'named', 'APPROVED', 'UTILITY'],
    ['allerta_emergenza', 'positional', 'APPROVED', 'UTILITY'],
    ['evento_cittadino', 'positional', 'PAUSED', 'MARKETING'],
    ['avviso_municipio', 'named', 'APPROVED', 'UTILITY'],
  ])('%s: %s, %s, %s', (name, parameterFormat, status, category) => {
    expect(templateInfoOf(named(name))).toMatchObject({ name, parameterFormat, status, category });
  });

  it('keeps the body the parameters are checked against apart from header, footer and buttons', () => {
    const info = templateInfoOf(named('allerta_emergenza'));
    expect(info.body).toBe('Allerta {{1}} dal {{2}}: {{3}}. Segui gli aggiornamenti sul sito del Comune.');
    expect(Object.keys(info).sort()).toEqual(['body', 'buttons', 'category', 'footer', 'header', 'language', 'name', 'parameterFormat', 'status']);
  });

  it('reads a template stored before canale kept every component: the header from its texts, buttons as unknown', () => {
    const { headerParameters: _h, buttons: _b, ...old } = named('allerta_emergenza');
    const info = templateInfoOf(old);
    expect(info).toMatchObject({ header: { format: 'TEXT', text: 'Allerta di protezione civile' }, buttonsUnknown: true });
    expect(info.buttons).toBeUndefined();
    expect(checkTemplateUse({ template: 'allerta_emergenza', language: 'it', params: ['a', 'b', 'c'] }, [info]).problems).toEqual([
      'whatsapp.template: "allerta_emergenza" was synced by an older canale, which kept only its buttons\' labels — run: canale templates sync',
    ]);
    const { headerParameters: _c, buttons: _d, ...noButtons } = named('chiusura_scuole');
    expect(templateInfoOf(noButtons)).not.toHaveProperty('buttonsUnknown');
    expect(checkTemplateUse({ template: 'chiusura_scuole', language: 'it', params: ['a', 'b', 'c'] }, [templateInfoOf(noButtons)]).problems).toEqual([]);
  });
});

describe('syncedTemplates', () => {
  it('is empty before the first sync', () => {
    expect(syncedTemplates(aStore())).toEqual([]);
  });

  it('maps every stored template, in order, so the checker finds them', () => {
    const data = { ...aStore(), templates: stored };
    const templates = syncedTemplates(data);
    expect(templates.map((t) => t.name)).toEqual(stored.map((t) => t.name));
    expect(checkTemplateUse({ template: 'raccolta_rifiuti', language: 'it', params: { nome: 'Maria', giorno: 'lunedì', materiale: 'carta' } }, templates).problems).toEqual([]);
    expect(checkTemplateUse({ template: 'avviso_cantieri', language: 'it', params: ['Maria', '2 dicembre'] }, templates).problems).toEqual([
      'whatsapp.params: "avviso_cantieri" takes 3 parameter(s), the message gives 2',
    ]);
    expect(checkTemplateUse({ template: 'evento_cittadino', language: 'it', params: ['la festa', 'sabato'] }, templates).problems.join()).toMatch(/is PAUSED, not APPROVED/);
  });
});
