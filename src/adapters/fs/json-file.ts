import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { CanaleError } from '../../core/errors.js';

/** A file's text, or undefined when there is no such file; any other failure to read it is thrown. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A small JSON file canale writes (a campaign's record, the schedules), parsed and checked against its schema, or
 * undefined when there is none. A file that is not JSON, or not of the schema, is reported with its path and what
 * is wrong (CanaleError `damagedCode`) and never overwritten.
 */
export async function readJsonFile<T extends z.ZodType>(path: string, schema: T, damagedCode: string): Promise<z.infer<T> | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CanaleError(damagedCode, `${path} is not valid JSON (${(error as Error).message}) — canale will not overwrite it`);
  }
  return checkedJson(json, schema, path, damagedCode);
}

/**
 * A value canale kept (a file's JSON, a database row's), checked against its schema; one that is not of it is
 * reported as `readJsonFile` reports a file: where, what is wrong (CanaleError `damagedCode`), never overwritten.
 */
export function checkedJson<T extends z.ZodType>(value: unknown, schema: T, where: string, damagedCode: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CanaleError(damagedCode, `${where} is damaged: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'} — canale will not overwrite it`);
  }
  return parsed.data;
}
