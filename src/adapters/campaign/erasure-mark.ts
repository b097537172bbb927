import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { readTextIfExists } from '../fs/json-file.js';

/**
 * `<home>/erasures.mark`: changed by every `forget` once the store no longer holds the person (a random value, never
 * who). A send reads it before it reads the store and again once its campaign is frozen: if it changed, someone
 * in its plan may have been forgotten meanwhile, in a campaign the forget could not see yet (DESIGN §5).
 */
const markFile = (home: string): string => join(home, 'erasures.mark');

export async function readErasureMark(home: string): Promise<string> {
  return (await readTextIfExists(markFile(home))) ?? '';
}

export async function changeErasureMark(home: string): Promise<void> {
  await writeFileAtomic(markFile(home), `${randomBytes(8).toString('hex')}\n`);
}
