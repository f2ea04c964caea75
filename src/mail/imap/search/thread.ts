import type { SearchCandidate } from './evaluate.ts';
import type { SearchableContent } from './searchable.ts';
import { sentDateOf } from './sort.ts';

/**
 * RFC 5256 THREAD: ORDEREDSUBJECT (§4) and REFERENCES (§5, J. Zawinski's
 * algorithm), and the THREAD response's data (§4 thread-list).
 */

export interface ThreadItem {
  candidate: SearchCandidate;
  content: SearchableContent;
}

/** A thread tree node: a message's number, or null for a dummy (a missing parent). */
export interface ThreadNode {
  id: number | null;
  children: ThreadNode[];
}

export interface ThreadOptions {
  /** Number nodes by sequence number (THREAD) or UID (UID THREAD). */
  ids: 'seq' | 'uid';
}

interface Container {
  item: ThreadItem | null;
  parent: Container | null;
  children: Container[];
}

/** RFC 5256 §2.2: by sent date, then by mailbox order. */
function compareItems(a: ThreadItem, b: ThreadItem): number {
  return (
    sentDateOf(a.candidate, a.content) - sentDateOf(b.candidate, b.content) ||
    a.candidate.seq - b.candidate.seq
  );
}

/** A dummy sorts as its first child (RFC 5256 §5 steps 5 and 7); children are sorted first. */
function firstItem(container: Container): ThreadItem | null {
  let current: Container | undefined = container;
  while (current && !current.item) current = current.children[0];
  return current?.item ?? null;
}

function compareContainers(a: Container, b: Container): number {
  const first = firstItem(a);
  const second = firstItem(b);
  if (!first || !second) return first ? 1 : second ? -1 : 0;
  return compareItems(first, second);
}

function isAncestor(candidate: Container, of: Container): boolean {
  // A container without children is nobody's ancestor: the common case costs nothing.
  if (candidate.children.length === 0) return candidate === of;
  for (let current: Container | null = of; current; current = current.parent) {
    if (current === candidate) return true;
  }
  return false;
}

/**
 * Every container from the roots down, parents before children. Walked
 * with a stack, not recursion: a reply chain thousands deep must not
 * overflow.
 */
function preOrder(roots: readonly Container[]): Container[] {
  const order: Container[] = [];
  const stack = [...roots];
  for (let container = stack.pop(); container; container = stack.pop()) {
    order.push(container);
    stack.push(...container.children);
  }
  return order;
}

/** Makes child a child of parent unless that would close a loop (RFC 5256 §5 step 1A). */
function link(parent: Container, child: Container): void {
  if (isAncestor(child, parent)) return;
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: Container): void {
  const parent = child.parent;
  if (!parent) return;
  parent.children.splice(parent.children.indexOf(child), 1);
  child.parent = null;
}

/** RFC 5256 §5 step 1: containers linked by Message-ID, References and In-Reply-To. */
function linkByReferences(items: readonly ThreadItem[]): Container[] {
  const byId = new Map<string, Container>();
  const all: Container[] = [];
  const containerFor = (id: string): Container => {
    let container = byId.get(id);
    if (!container) {
      container = { item: null, parent: null, children: [] };
      byId.set(id, container);
      all.push(container);
    }
    return container;
  };
  for (const item of [...items].sort((a, b) => a.candidate.seq - b.candidate.seq)) {
    const id = item.content.messageId;
    // A missing or duplicate Message-ID gets a container of its own (the first holder keeps the ID).
    let container = id === null ? undefined : containerFor(id);
    if (!container || container.item) {
      container = { item: null, parent: null, children: [] };
      all.push(container);
    }
    container.item = item;
    // References, or else the first In-Reply-To ID.
    const references =
      item.content.references.length > 0 ? item.content.references : item.content.inReplyTo.slice(0, 1);
    // Step 1A: chain the references, keeping any parent a container already has.
    let previous: Container | null = null;
    for (const reference of references) {
      const next = containerFor(reference);
      if (previous && !next.parent && previous !== next) link(previous, next);
      previous = next;
    }
    // Step 1B: this message's own References is authoritative for its parent.
    unlink(container);
    if (previous && previous !== container) link(previous, container);
  }
  return all.filter((container) => !container.parent);
}

/** RFC 5256 §5 step 4: dummies go; their children move up, at the root only when alone. */
function prune(roots: readonly Container[]): Container[] {
  const order = preOrder(roots);
  // Children before parents, so a dummy's own children are pruned before they replace it.
  for (let index = order.length - 1; index >= 0; index--) {
    const container = order[index];
    if (!container) continue;
    container.children = container.children.flatMap((child) => {
      if (child.item) return [child];
      for (const grandchild of child.children) grandchild.parent = container;
      return child.children;
    });
  }
  return roots.flatMap((root) => {
    if (root.item || root.children.length > 1) return [root];
    for (const child of root.children) child.parent = null;
    return root.children;
  });
}

/** RFC 5256 §5 step 6: root threads whose first messages share a base subject are gathered. */
function mergeBySubject(roots: Container[]): Container[] {
  const subjectOf = (container: Container) => firstItem(container)?.content.baseSubject ?? '';
  const isReply = (container: Container) => container.item?.content.isReplyOrForward ?? false;
  const table = new Map<string, Container>();
  for (const container of roots) {
    const subject = subjectOf(container);
    if (subject === '') continue;
    const existing = table.get(subject);
    if (!existing || (existing.item && (!container.item || (isReply(existing) && !isReply(container))))) {
      table.set(subject, container);
    }
  }
  const position = new Map(roots.map((container, index) => [container, index]));
  const result: Array<Container | null> = [...roots];
  for (const container of roots) {
    // A root already gathered under another one is no root any more.
    if (container.parent || result[position.get(container) ?? -1] !== container) continue;
    const subject = subjectOf(container);
    const holder = subject === '' ? undefined : table.get(subject);
    if (!holder || holder === container) continue;
    result[position.get(container) ?? -1] = null;
    if (!holder.item && !container.item) {
      for (const child of container.children) adopt(holder, child);
    } else if (!holder.item || (isReply(container) && !isReply(holder))) {
      adopt(holder, container);
    } else {
      const dummy: Container = { item: null, parent: null, children: [] };
      const at = position.get(holder) ?? -1;
      result[at] = dummy;
      position.set(dummy, at);
      adopt(dummy, holder);
      adopt(dummy, container);
      table.set(subject, dummy);
    }
  }
  return result.filter((container): container is Container => container !== null);
}

function adopt(parent: Container, child: Container): void {
  child.parent = parent;
  parent.children.push(child);
}

/** RFC 5256 §5 step 7: every level by sent date, deepest first so a dummy can sort as its first child. */
function sortTree(roots: Container[]): void {
  const order = preOrder(roots);
  for (let index = order.length - 1; index >= 0; index--) order[index]?.children.sort(compareContainers);
  roots.sort(compareContainers);
}

function toNodes(roots: readonly Container[], ids: ThreadOptions['ids']): ThreadNode[] {
  const idOf = (item: ThreadItem | null) =>
    item ? (ids === 'uid' ? item.candidate.uid : item.candidate.seq) : null;
  const nodes: ThreadNode[] = [];
  const stack: Array<[Container, ThreadNode[]]> = [];
  for (let index = roots.length - 1; index >= 0; index--) {
    const root = roots[index];
    if (root) stack.push([root, nodes]);
  }
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [container, siblings] = entry;
    const node: ThreadNode = { id: idOf(container.item), children: [] };
    siblings.push(node);
    for (let index = container.children.length - 1; index >= 0; index--) {
      const child = container.children[index];
      if (child) stack.push([child, node.children]);
    }
  }
  return nodes;
}

/** RFC 5256 §5 THREAD=REFERENCES. */
export function threadReferences(items: readonly ThreadItem[], options: ThreadOptions): ThreadNode[] {
  let roots = prune(linkByReferences(items));
  // Step 5: the roots by date, a dummy by its earliest child.
  for (const root of roots) if (!root.item) root.children.sort(compareContainers);
  roots.sort(compareContainers);
  roots = mergeBySubject(roots);
  sortTree(roots);
  return toNodes(roots, options.ids);
}

/**
 * RFC 5256 §4 THREAD=ORDEREDSUBJECT: messages grouped by base subject; in
 * each group the earliest is the parent and every other one its child; the
 * groups ordered by their first message's sent date.
 */
export function threadOrderedSubject(items: readonly ThreadItem[], options: ThreadOptions): ThreadNode[] {
  const sorted = [...items].sort(
    (a, b) =>
      (a.content.baseSubject < b.content.baseSubject
        ? -1
        : a.content.baseSubject > b.content.baseSubject
          ? 1
          : 0) || compareItems(a, b),
  );
  const groups: ThreadItem[][] = [];
  for (const item of sorted) {
    const group = groups.at(-1);
    if (group?.[0]?.content.baseSubject === item.content.baseSubject) group.push(item);
    else groups.push([item]);
  }
  groups.sort((a, b) => (a[0] && b[0] ? compareItems(a[0], b[0]) : 0));
  const idOf = (item: ThreadItem) => (options.ids === 'uid' ? item.candidate.uid : item.candidate.seq);
  return groups.map(([first, ...rest]) => ({
    id: first ? idOf(first) : null,
    children: rest.map((item) => ({ id: idOf(item), children: [] })),
  }));
}

/**
 * The data of a THREAD response (RFC 5256 §4 thread-list), e.g.
 * "(2)(3 6 (4 23)(44 7 96))": a parent is followed by its only child, or by
 * one parenthesised list per child; a dummy shows only its children, as in
 * "((3)(5))". Empty when there are no threads.
 */
export function threadWire(threads: readonly ThreadNode[]): string {
  let out = '';
  // Nodes still to write and parentheses to close, on a stack: no recursion, however deep the thread.
  const stack: Array<ThreadNode | string> = [];
  const pushLists = (nodes: readonly ThreadNode[]) => {
    for (let index = nodes.length - 1; index >= 0; index--) stack.push(')', nodes[index] ?? '', '(');
  };
  pushLists(threads);
  for (let task = stack.pop(); task !== undefined; task = stack.pop()) {
    if (typeof task === 'string') {
      out += task;
      continue;
    }
    if (task.id !== null) out += task.children.length > 0 ? `${task.id} ` : String(task.id);
    const [only] = task.children;
    if (task.children.length === 1 && only) stack.push(only);
    else pushLists(task.children);
  }
  return out;
}
