import { describe, expect, it } from 'vitest';
import { matchSubscriber, type SubscriberFilter } from '../../src/core/subscriber-filter.js';
import type { TopicId } from '../../src/core/topic.js';
import { aSubscriber } from '../support/builders.js';

const a = aSubscriber({ id: 'a' as never, name: 'Niccolò Bianchi', topics: ['cantieri'], attributes: { municipio: 'I', quartiere: 'Centro Storico' }, phone: '+393331234567' as never });
const b = aSubscriber({ id: 'b' as never, name: 'Maria Rossi', topics: ['scuola', 'eventi'], attributes: { municipio: 'II' }, email: 'maria@example.it' as never });
const c = aSubscriber({ id: 'c' as never, name: 'Luca Verdi', topics: ['cantieri', 'scuola'], status: 'unsubscribed', attributes: { municipio: 'I' }, whatsappUserId: 'US.13491208655302741918' });
const all = [a, b, c];

const topics = (...ids: string[]) => ids as TopicId[];

describe('matchSubscriber', () => {
  it.each<[string, SubscriberFilter, string[]]>([
    ['no filter', {}, ['a', 'b', 'c']],
    ['one topic', { topics: topics('cantieri') }, ['a', 'c']],
    ['any of two topics', { topics: topics('cantieri', 'eventi') }, ['a', 'b', 'c']],
    ['status', { status: 'active' }, ['a', 'b']],
    ['where, ignoring case', { where: [{ key: 'municipio', value: 'i' }] }, ['a', 'c']],
    ['where, ignoring accents and case', { where: [{ key: 'quartiere', value: 'centro storico' }] }, ['a']],
    ['two wheres are AND', { where: [{ key: 'municipio', value: 'I' }, { key: 'quartiere', value: 'Centro Storico' }] }, ['a']],
    ['a missing attribute never matches', { where: [{ key: 'cap', value: '00100' }] }, []],
    ['everything together', { topics: topics('cantieri'), status: 'active', where: [{ key: 'municipio', value: 'I' }] }, ['a']],
    ['search in the name, without accents', { search: 'niccolo' }, ['a']],
    ['search in the e-mail', { search: 'MARIA@' }, ['b']],
    ['search in the phone digits', { search: '333 123' }, ['a']],
    ['search in the WhatsApp user id, ignoring case', { search: 'us.1349' }, ['c']],
  ])('%s', (_label, filter, ids) => {
    expect(all.filter(matchSubscriber(filter)).map((s) => s.id)).toEqual(ids);
  });
});
