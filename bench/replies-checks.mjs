// The after-the-fact checks of replies.mjs: which batch applied each reply (from the server's log and its event
// log), what the store holds at the end (one streamed pass over db.json and its change log), and who got the campaign after a STOP.
import { readFileSync } from 'node:fs';

export function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * The server's batches, from its stderr (one `<ISO> applied lines=… store-writes=…` line per batch, stamped by the
 * server when the batch is done: store written, opt-outs appended, cursor saved) and its event log (each line's `at`
 * is when the request that brought it was logged). Returns, per batch: when it ended, the event-log lines it
 * covered (cumulative), the store writes so far, and when it started — the later of the previous batch's end and
 * its first line's arrival, as the applier starts a batch as soon as a line arrives or the previous batch ends.
 */
export function readBatches(serverLog, eventLog) {
  const lines = readFileSync(eventLog, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  return batchesOf(readFileSync(serverLog, 'utf8'), lines);
}

/** readBatches from the server's stderr as text and the event log's lines (a database's inbox has the same lines). */
export function batchesOf(serverLogText, eventLines) {
  const arrivals = eventLines.map((l) => ({ at: Date.parse(JSON.parse(l).at), wamid: /"id":"(wamid\.[^"]+)"/.exec(l)?.[1] }));
  const batches = [];
  let lines = 0;
  let previousEnd = -Infinity;
  for (const line of serverLogText.split('\n')) {
    const m = /^(\S+) applied lines=(\d+) recorded=\d+ waiting=\d+ store-writes=(\d+)$/.exec(line);
    if (m === null) continue;
    const end = Date.parse(m[1]);
    const first = arrivals[lines]?.at ?? end;
    const from = lines;
    lines += Number(m[2]);
    batches.push({ from, to: lines, end, start: Math.max(previousEnd, first), storeWrites: Number(m[3]) });
    previousEnd = end;
  }
  const lineOf = new Map(arrivals.map((a, j) => [a.wamid, j]));
  /** When the batch holding the line that carried `wamid` was done; undefined: no batch applied it. */
  const appliedAt = (wamid) => {
    const j = lineOf.get(wamid);
    return j === undefined ? undefined : batches.find((b) => b.to > j)?.end;
  };
  return { batches, appliedAt };
}

/**
 * Reads the store as canale does (db.json with its change log, streamed) and checks each sender's record against
 * what their message asked: STOP unsubscribed, the topic STOP left the topic and kept the rest, "grazie" unchanged.
 */
export async function checkStore(db, expected, topic) {
  const { JsonSubscriberStore } = await import('../dist/adapters/store/json-subscriber-store.js');
  const check = recordCheck(expected, topic);
  await new JsonSubscriberStore(db).scan(undefined, check.visit);
  return check.result();
}

/** checkStore's check, record by record: `visit` each subscriber read (in any order), then `result()`. */
export function recordCheck(expected, topic) {
  const wrong = [];
  let seen = 0;
  const visit = (s) => {
    const want = expected.get(s.id);
    if (want === undefined) return;
    seen++;
    const was = want.original;
    const isRight =
      want.kind === 'stop'
        ? s.status === 'unsubscribed'
        : want.kind === 'topic-stop'
          ? s.status === 'active' && !s.topics.includes(topic) && was.topics.filter((t) => t !== topic).every((t) => s.topics.includes(t))
          : s.status === was.status && JSON.stringify([...s.topics].sort()) === JSON.stringify([...was.topics].sort()) && s.updatedAt === was.updatedAt;
    if (!isRight) wrong.push({ id: s.id, kind: want.kind, status: s.status, topics: s.topics });
  };
  return { visit, result: () => ({ seen, wrong }) };
}

/**
 * Per STOP (full or of the topic): the campaign messages the Graph stand-in accepted for that number after its 200
 * — within the grace (allowed: a request already on its way) and beyond it (not allowed).
 */
export function campaignAfterStop(stops, campaignMessages, graceMs) {
  const byNumber = new Map();
  for (const m of campaignMessages) byNumber.set(m.to, [...(byNumber.get(m.to) ?? []), m.at]);
  let withinGrace = 0;
  let beforeStop = 0;
  let neverSent = 0;
  const late = [];
  for (const s of stops) {
    if (!byNumber.has(s.digits)) neverSent++;
    for (const at of byNumber.get(s.digits) ?? []) {
      if (at <= s.answeredAt) beforeStop++;
      else if (at <= s.answeredAt + graceMs) withinGrace++;
      else late.push({ digits: s.digits, afterMs: at - s.answeredAt });
    }
  }
  return { withinGrace, beforeStop, neverSent, late };
}
