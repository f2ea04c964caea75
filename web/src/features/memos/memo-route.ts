/**
 * The memos area's routes: `#/memos` (inbox), `#/memos/inbox`, `#/memos/sent`,
 * `#/memos/<memoId>`, `#/memos/new`, `#/memos/new/user/<userId>` and
 * `#/memos/new/unit/<unitId>` (other areas link there with the recipient chosen).
 */
export type MemoRoute =
  | { kind: 'inbox' }
  | { kind: 'sent' }
  | { kind: 'memo'; memoId: number }
  | { kind: 'new'; userId?: number; unitId?: number };

function id(segment: string | undefined): number | null {
  if (segment === undefined || !/^[1-9]\d{0,15}$/.test(segment)) return null;
  return Number(segment);
}

export function parseMemoRoute(route: readonly string[]): MemoRoute {
  const [first, second, third] = route;
  if (first === 'sent') return { kind: 'sent' };
  if (first === 'new') {
    const target = id(third);
    if (second === 'user' && target !== null) return { kind: 'new', userId: target };
    if (second === 'unit' && target !== null) return { kind: 'new', unitId: target };
    return { kind: 'new' };
  }
  const memoId = id(first);
  if (memoId !== null) return { kind: 'memo', memoId };
  return { kind: 'inbox' };
}
