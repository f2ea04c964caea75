import { createHash } from 'node:crypto';

/** The fields of an entry that its hash covers, details already in canonical JSON. */
export interface ChainedFields {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  protocol: string;
  remote: string;
  outcome: string;
  /** Canonical JSON text, exactly as stored. */
  details: string;
}

/**
 * sha256 hex of prev_hash + '\n' + the canonical JSON of
 * [seq, at, actor, action, target, protocol, remote, outcome, details].
 * The details go in as their stored text (which is canonical JSON), so any
 * change to the stored bytes, even one that parses the same, breaks the hash.
 */
export function entryHash(prevHash: string, fields: ChainedFields): string {
  const head = [
    fields.seq,
    fields.at,
    fields.actor,
    fields.action,
    fields.target,
    fields.protocol,
    fields.remote,
    fields.outcome,
  ];
  const canonical = `[${head.map((value) => JSON.stringify(value)).join(',')},${fields.details}]`;
  return createHash('sha256').update(`${prevHash}\n${canonical}`, 'utf8').digest('hex');
}

/**
 * JSON with object keys in a stable (code unit) order at every depth, so the
 * same details always hash the same whatever order they were built in.
 * Follows JSON.stringify otherwise: toJSON is honoured, undefined members are
 * left out, non-finite numbers become null.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  const plain = hasToJson(value) ? value.toJSON() : value;
  if (Array.isArray(plain)) return plain.map(sortKeys);
  if (plain === null || typeof plain !== 'object') return plain;
  // No prototype: a "__proto__" key stays a plain member.
  const sorted = Object.create(null) as Record<string, unknown>;
  const record = plain as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) sorted[key] = sortKeys(record[key]);
  return sorted;
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  );
}
