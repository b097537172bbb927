import { describe, expect, it } from 'vitest';
import { emptyStore, STORE_VERSION, validateStore } from '../../../src/adapters/store/store-schema.js';
import { aStore, aSubscriber } from '../../support/builders.js';

const path = '/home/db.json';

describe('validateStore', () => {
  it('accepts what canale writes and keeps the same objects', () => {
    const data = JSON.parse(JSON.stringify(aStore([aSubscriber({ attributes: { municipio: 'I' } })])));
    const valid = validateStore(data, path);
    expect(valid).toBe(data);
    expect(valid.subscribers[0]).toBe(data.subscribers[0]);
  });

  it('accepts a WhatsApp user id and the identity changes of the consent history (quick check and schema alike)', () => {
    const history = [{ at: '2026-11-28T10:00:00.000Z', action: 'number-changed', source: 'whatsapp:wamid.1', previous: '+16505551234' }, { at: '2026-11-28T10:00:00.000Z', action: 'user-id-changed', source: 'whatsapp:wamid.2', previous: 'US.1' }];
    const data = JSON.parse(JSON.stringify(aStore([aSubscriber({ whatsappUserId: 'US.2' }), aSubscriber({ phone: undefined, whatsappUserId: 'US.3', history } as never)])));
    expect(validateStore(data, path).subscribers.map((s) => s.whatsappUserId)).toEqual(['US.2', 'US.3']);
  });

  it.each([['empty', ''], ['too long', 'U'.repeat(257)]])('refuses a WhatsApp user id that is %s', (_, whatsappUserId) => {
    const data = JSON.parse(JSON.stringify(aStore([aSubscriber({ whatsappUserId })])));
    expect(() => validateStore(data, path)).toThrow(/subscribers\[0\].*whatsappUserId/);
  });

  it('starts with the default catalogue', () => {
    expect(emptyStore().topics.map((t) => t.id)).toEqual(['scuola', 'cantieri', 'raccolta-differenziata', 'mobilita', 'eventi', 'sociale', 'emergenze']);
  });

  it.each<[string, (d: Record<string, unknown>) => void, RegExp]>([
    ['not an object', () => undefined, /the top level: .*expected object/],
    ['a subscriber with a bad phone', (d) => ((d.subscribers as Record<string, unknown>[])[0]!.phone = '333'), /subscribers\[0\] \(sub_\w+\)\.phone: not an E\.164 phone number/],
    ['a subscriber with an unknown key', (d) => ((d.subscribers as Record<string, unknown>[])[0]!.colour = 'red'), /subscribers\[0\].*colour/],
    ['a bad status', (d) => ((d.subscribers as Record<string, unknown>[])[0]!.status = 'gone'), /subscribers\[0\].*status/],
    ['a topic without a label', (d) => ((d.topics as Record<string, unknown>[])[0]!.label = ''), /topics\[0\]\.label/],
    ['an unknown top-level key', (d) => (d.extra = 1), /unknown key "extra"/],
  ])('reports %s with its path and never fixes it', (_label, damage, message) => {
    const data = JSON.parse(JSON.stringify(aStore([aSubscriber()]))) as Record<string, unknown>;
    damage(data);
    const input = _label === 'not an object' ? [] : data;
    expect(() => validateStore(input, path)).toThrow(message);
    expect(() => validateStore(input, path)).toThrow(/\/home\/db\.json is damaged: .* canale will not overwrite it/);
  });

  it('refuses a store written by a newer canale', () => {
    expect(() => validateStore({ ...emptyStore(), version: STORE_VERSION + 1 }, path)).toThrow(/written by a newer canale/);
  });
});

describe('store version 2: synced templates', () => {
  const template = {
    id: '1',
    name: 'avviso_cantieri',
    language: 'it',
    category: 'UTILITY',
    status: 'APPROVED',
    parameterFormat: 'positional',
    parameters: ['1', '2'],
    texts: { body: 'Gentile {{1}}, lavori in {{2}}.', buttons: [] },
    syncedAt: '2026-11-28T09:00:00.000Z',
  };

  it('migrates a version 1 store by giving it an empty template list', () => {
    const v1 = { version: 1, topics: [], subscribers: [aSubscriber()] };
    const data = validateStore(JSON.parse(JSON.stringify(v1)), path);
    expect(data.version).toBe(2);
    expect(data.templates).toEqual([]);
    expect(data.subscribers).toHaveLength(1);
  });

  it('starts empty and accepts a synced template', () => {
    expect(emptyStore().templates).toEqual([]);
    expect(validateStore({ ...emptyStore(), templates: [template] }, path).templates).toEqual([template]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown status', { status: 'MAYBE' }, /templates\[0\]\.status/],
    ['an unknown parameter format', { parameterFormat: 'both' }, /templates\[0\]\.parameterFormat/],
    ['a missing body', { texts: { buttons: [] } }, /templates\[0\]\.texts\.body/],
  ])('reports a template with %s', (_label, change, message) => {
    expect(() => validateStore({ ...emptyStore(), templates: [{ ...template, ...change }] }, path)).toThrow(message);
  });
});
