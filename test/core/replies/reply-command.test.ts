import { describe, expect, it } from 'vitest';
import { parseReply } from '../../../src/core/replies/reply-command.js';

describe('parseReply: the keyword table, case- and accent-insensitive, Italian and English', () => {
  it.each([
    ['STOP', { kind: 'stop' }],
    ['stop', { kind: 'stop' }],
    ['  Stop!  ', { kind: 'stop' }],
    ['ANNULLA', { kind: 'stop' }],
    ['Cancella', { kind: 'stop' }],
    ['disiscrivimi', { kind: 'stop' }],
    ['Basta.', { kind: 'stop' }],
    ['unsubscribe', { kind: 'stop' }],
    ['STOP cantieri', { kind: 'leave', topic: 'cantieri' }],
    ['stop Raccolta Differenziata', { kind: 'leave', topic: 'raccolta differenziata' }],
    ['BASTA mobilità', { kind: 'leave', topic: 'mobilita' }],
    ['UNSUB:cantieri', { kind: 'leave', topic: 'cantieri' }],
    ['ISCRIVI scuola', { kind: 'join', topic: 'scuola' }],
    ['iscrivimi Mobilità', { kind: 'join', topic: 'mobilita' }],
    ['subscribe eventi', { kind: 'join', topic: 'eventi' }],
    ['ISCRIVI', { kind: 'join' }],
    ['ARGOMENTI', { kind: 'topics' }],
    ['temi', { kind: 'topics' }],
    ['Topics', { kind: 'topics' }],
    ['AIUTO', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['Àiuto', { kind: 'help' }],
    ['buongiorno, quando passa la raccolta?', { kind: 'unknown' }],
    ['', { kind: 'unknown' }],
    ['stopp', { kind: 'unknown' }],
  ])('%j → %j', (text, expected) => {
    expect(parseReply(text)).toEqual(expected);
  });
});
