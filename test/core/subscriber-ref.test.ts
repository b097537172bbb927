import { describe, expect, it } from 'vitest';
import { resolveRef } from '../../src/core/subscriber-ref.js';
import { aSubscriber } from '../support/builders.js';

const maria = aSubscriber({ id: 'sub_maria' as never, phone: '+393331234567' as never, email: 'Maria.Rossi@example.it' as never });
const luca = aSubscriber({ id: 'sub_luca' as never, phone: '+390612345678' as never, email: 'luca@example.it' as never });
const all = [maria, luca];

describe('resolveRef', () => {
  it.each([
    ['sub_maria', 'sub_maria'],
    ['333 123 4567', 'sub_maria'],
    ['+39 333-1234567', 'sub_maria'],
    ['0039 3331234567', 'sub_maria'],
    ['(+39) 333.123.4567', 'sub_maria'],
    ['maria.rossi@EXAMPLE.it', 'sub_maria'],
    ['MARIA.ROSSI@example.it', 'sub_maria'],
    ['06 1234 5678', 'sub_luca'],
    [' luca@example.it ', 'sub_luca'],
  ])('%j → %s', (ref, id) => {
    expect(resolveRef(all, ref, 'IT').id).toBe(id);
  });

  it.each([['sub_nobody'], ['333 000 0000'], ['nobody@example.it'], ['rossi']])('%j is not found, with a hint', (ref) => {
    expect(() => resolveRef(all, ref, 'IT')).toThrow(/no subscriber matches .* canale subscribers list --search/);
  });
});
