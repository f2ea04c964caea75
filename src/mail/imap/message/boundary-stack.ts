/**
 * The boundaries of the multiparts enclosing the point where a parser is
 * (RFC 2046 §5.1.1). A line that starts with "--" is checked against all of
 * them at once by walking a trie along the line's octets, so a line costs
 * at most its own length whatever the nesting: no quadratic blow-up on a
 * message full of "--" lines inside deep multiparts.
 *
 * As Dovecot does, only the start of the line must match (trailing garbage
 * after a boundary is common, and RFC 2046 §5.1.1 forbids a boundary that
 * has an enclosing one as a prefix); the longest match wins, then the
 * innermost boundary.
 */

const DASH = 0x2d;

interface TrieNode {
  /** Octets of the edges to the children, beside `children` (few per node: a scan beats hashing). */
  octets: number[];
  children: TrieNode[];
  /** Stack levels whose boundary ends here, innermost last. */
  levels: number[];
}

export interface BoundaryMatch {
  /** 0 for the outermost boundary. */
  level: number;
  /** Octets matched, the leading "--" included. */
  length: number;
}

function newNode(): TrieNode {
  return { octets: [], children: [], levels: [] };
}

function childOf(node: TrieNode, octet: number): TrieNode | undefined {
  const index = node.octets.indexOf(octet);
  return index === -1 ? undefined : node.children[index];
}

export class BoundaryStack {
  readonly #root = newNode();
  readonly #boundaries: Buffer[] = [];

  get size(): number {
    return this.#boundaries.length;
  }

  /** Enters a multipart body; its level is the size before the push. */
  push(boundary: Buffer): number {
    const level = this.#boundaries.length;
    this.#boundaries.push(boundary);
    let node = this.#root;
    for (const octet of boundary) {
      let next = childOf(node, octet);
      if (!next) {
        next = newNode();
        node.octets.push(octet);
        node.children.push(next);
      }
      node = next;
    }
    node.levels.push(level);
    return level;
  }

  /** Leaves the innermost multipart body. */
  pop(): void {
    const boundary = this.#boundaries.pop();
    if (!boundary) return;
    const path: TrieNode[] = [this.#root];
    for (const octet of boundary) {
      const next = childOf(path[path.length - 1] ?? this.#root, octet);
      if (!next) return;
      path.push(next);
    }
    path[path.length - 1]?.levels.pop();
    // Prune the branch that no boundary uses any more.
    for (let depth = boundary.length; depth > 0; depth--) {
      const node = path[depth];
      const parent = path[depth - 1];
      if (!node || !parent || node.levels.length > 0 || node.children.length > 0) break;
      const index = parent.children.indexOf(node);
      parent.octets.splice(index, 1);
      parent.children.splice(index, 1);
    }
  }

  /** The boundary the line at `lineStart` is a delimiter of, if any. */
  match(raw: Buffer, lineStart: number): BoundaryMatch | null {
    if (raw[lineStart] !== DASH || raw[lineStart + 1] !== DASH || this.#boundaries.length === 0) return null;
    let node: TrieNode | undefined = this.#root;
    let level = -1;
    let length = 0;
    for (let i = lineStart + 2; node; i++) {
      if (node.levels.length > 0) {
        level = node.levels[node.levels.length - 1] ?? -1;
        length = i - lineStart;
      }
      if (i >= raw.length) break;
      node = childOf(node, raw[i] ?? -1);
    }
    return level === -1 ? null : { level, length };
  }
}
