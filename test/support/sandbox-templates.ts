import { SANDBOX_TEMPLATES } from '../../src/adapters/sandbox/sandbox-templates.js';
import { templateFromGraph } from '../../src/adapters/transports/cloud-api/graph-templates.js';
import type { Template } from '../../src/core/template.js';

/** The sandbox account's templates as `canale templates sync` stores them, without a server. */
export function sandboxTemplates(syncedAt = '2026-11-28T09:00:00.000Z'): Template[] {
  return SANDBOX_TEMPLATES.flatMap((raw) => {
    const template = templateFromGraph(raw);
    return template === undefined ? [] : [{ ...template, syncedAt }];
  });
}
