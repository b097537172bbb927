import { describe, expect, it } from 'vitest';
import { fillPlaceholders, findPlaceholders, knownFields, subscriberValue } from '../../../src/core/message/placeholders.js';
import { aSubscriber } from '../../support/builders.js';

describe('findPlaceholders', () => {
  it.each([
    ['Ciao {{nome}}', [{ raw: '{{nome}}', field: 'name' }], 0],
    ['{{ Nome }} {{telefono}} {{E-mail}}', [{ raw: '{{ Nome }}', field: 'name' }, { raw: '{{telefono}}', field: 'phone' }, { raw: '{{E-mail}}', field: 'email' }], 0],
    ['{{nome | "cittadina, cittadino"}}', [{ raw: '{{nome | "cittadina, cittadino"}}', field: 'name', fallback: 'cittadina, cittadino' }], 0],
    ['{{municipio|"\\"centro\\""}}', [{ raw: '{{municipio|"\\"centro\\""}}', field: 'municipio', fallback: '"centro"' }], 0],
    ['{{Quartiere di residenza}}', [], 2],
    ['{{nome} e }}', [], 2],
    ['nessun segnaposto', [], 0],
  ])('%j', (text, placeholders, malformed) => {
    expect(findPlaceholders(text)).toEqual({ placeholders, malformed });
  });
});

describe('fillPlaceholders', () => {
  const maria = aSubscriber({ name: 'Maria Rossi', attributes: { municipio: 'I' } });
  const anonymous = aSubscriber({ name: undefined, email: undefined, attributes: {} });
  const valueOf = (s: typeof maria) => (field: string) => subscriberValue(s, field);

  it.each([
    [maria, 'Ciao {{nome}} del municipio {{municipio}}', 'Ciao Maria Rossi del municipio I', []],
    [anonymous, 'Ciao {{nome | "cittadina, cittadino"}}', 'Ciao cittadina, cittadino', []],
    [anonymous, 'Ciao {{nome}} del {{municipio}} ({{nome}})', 'Ciao  del  ()', ['name', 'municipio']],
    [maria, 'Scrivi a {{email}}', `Scrivi a ${maria.email}`, []],
  ])('fills %#', (subscriber, text, filled, missing) => {
    expect(fillPlaceholders(text, valueOf(subscriber))).toEqual({ text: filled, missing });
  });

  it('escapes values only, never the text around them', () => {
    const tricky = aSubscriber({ name: '<b>Anna</b> & co' });
    expect(fillPlaceholders('<p>{{nome}}</p>', valueOf(tricky), (s) => s.replace(/</g, '&lt;')).text).toBe('<p>&lt;b>Anna&lt;/b> & co</p>');
  });

  it('treats a blank value as missing', () => {
    expect(fillPlaceholders('{{nome}}', valueOf(aSubscriber({ name: '   ' }))).missing).toEqual(['name']);
  });
});

describe('knownFields', () => {
  it('is the subscriber fields plus every attribute anyone has', () => {
    const fields = knownFields([aSubscriber({ attributes: { municipio: 'I' } }), aSubscriber({ attributes: { cap: '00100' } })]);
    expect([...fields].sort()).toEqual(['cap', 'email', 'municipio', 'name', 'phone']);
  });
});
