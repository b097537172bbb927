import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { dirname } from 'node:path';
import { newHome } from '../support/home.js';
import { GraphStandIn } from '../../src/adapters/sandbox/graph-stand-in.js';
import { SmtpSink } from '../../src/adapters/sandbox/smtp-sink.js';
import { SANDBOX_ACCOUNT, sandboxEnv } from '../../src/commands/sandbox.js';
import { FakeClock } from '../support/fake-deps.js';

/** The sandbox in-process for the whole test file, and the environment that points canale at it. */
export function useSandbox(options: { reject?: string[] } = {}): { readonly env: Record<string, string>; readonly graph: GraphStandIn; readonly sink: SmtpSink } {
  let graph: GraphStandIn | undefined;
  let sink: SmtpSink | undefined;
  let dir = '';
  const env: Record<string, string> = {};
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canale-sandbox-test-'));
    graph = new GraphStandIn({ port: 0, ...SANDBOX_ACCOUNT, clock: new FakeClock() });
    sink = new SmtpSink({ port: 0, dir, clock: new FakeClock(), reject: options.reject ?? [] });
    const url = await graph.listen();
    const port = await sink.listen();
    Object.assign(env, sandboxEnv(url, port));
  });
  afterAll(async () => {
    await graph?.close();
    await sink?.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    env,
    get graph() {
      if (graph === undefined) throw new Error('sandbox not started');
      return graph;
    },
    get sink() {
      if (sink === undefined) throw new Error('sandbox not started');
      return sink;
    },
  };
}

/** A fresh home (not yet created) for each test of the file, removed after it. */
export function useFreshHome(): () => string {
  let home: string | undefined;
  beforeEach(async () => {
    home = await newHome();
  });
  afterEach(async () => {
    if (home !== undefined) await rm(dirname(home), { recursive: true, force: true });
  });
  return () => {
    if (home === undefined) throw new Error('only inside a test');
    return home;
  };
}
