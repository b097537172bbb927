import { randomBytes } from 'node:crypto';

/** A number in [0, 1) for the sandbox's injected faults; tests inject their own for determinism. */
export function randomUnit(): number {
  return randomBytes(4).readUInt32BE() / 2 ** 32;
}
