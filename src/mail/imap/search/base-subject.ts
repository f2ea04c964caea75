/**
 * RFC 5256 §2.1 base subject, used by SORT SUBJECT and both THREAD
 * algorithms. The input is the decoded Subject (step 1's RFC 2047 decoding is
 * done by the caller). One deliberate addition: the text is folded with
 * NFKC and lower-cased first, so "Ｒｅ：" written with full-width letters, as
 * Japanese mailers do, is stripped like "Re:", and base subjects compare
 * case-insensitively (the RFC compares them with i;ascii-casemap).
 */

export interface BaseSubject {
  /** The base subject, NFKC-folded and lower case. */
  text: string;
  /** RFC 5256 §5 step 6: a Re:/Fwd: leader, a "(fwd)" trailer or a "[fwd: …]" wrapper was removed. */
  isReplyOrForward: boolean;
}

// subj-trailer = "(fwd)" / WSP
const TRAILER = /(?:\(fwd\)| )$/;
// subj-leader = (*subj-blob subj-refwd) / WSP ; subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
const REFWD_LEADER = /^(?:\[[^[\]]*\] *)*(?:re|fwd?) *(?:\[[^[\]]*\] *)?:/;
// subj-blob = "[" *BLOBCHAR "]" *WSP
const BLOB = /^\[[^[\]]*\] */;

export function baseSubject(decoded: string): BaseSubject {
  // Step 1: tabs and continuations to space, runs of spaces to one.
  let text = decoded.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ');
  let isReplyOrForward = false;
  for (;;) {
    // Step 2: trailers, repeatedly.
    for (let match = TRAILER.exec(text); match; match = TRAILER.exec(text)) {
      if (match[0] === '(fwd)') isReplyOrForward = true;
      text = text.slice(0, text.length - match[0].length);
    }
    // Steps 3 to 5: leaders, then a blob that does not leave the subject empty.
    for (let changed = true; changed;) {
      changed = false;
      for (;;) {
        const refwd = REFWD_LEADER.exec(text);
        if (refwd) {
          isReplyOrForward = true;
          text = text.slice(refwd[0].length);
        } else if (text.startsWith(' ')) text = text.slice(1);
        else break;
        changed = true;
      }
      const blob = BLOB.exec(text);
      if (blob && text.slice(blob[0].length).trim() !== '') {
        text = text.slice(blob[0].length);
        changed = true;
      }
    }
    // Step 6: "[fwd: …]" wraps a forwarded subject; unwrap and start again.
    if (text.startsWith('[fwd:') && text.endsWith(']')) {
      text = text.slice(5, -1);
      isReplyOrForward = true;
      continue;
    }
    return { text, isReplyOrForward };
  }
}
