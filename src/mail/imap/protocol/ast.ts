/**
 * IMAP commands as the parser hands them to the server: one discriminated
 * union, one member per command (RFC 9051 §6, RFC 3501 §6 and the
 * extensions this server offers). The parser checks the grammar; the server
 * checks meaning (does the mailbox exist, is the state right).
 *
 * Strings are decoded: astrings and quoted strings as UTF-8, search strings
 * with the CHARSET the command named. Mailbox names are given as they were
 * sent (modified UTF-7 from an IMAP4rev1 client); the server decodes them.
 */

/** One element of a sequence set: a number, or "*" (the largest number in use). */
export type SeqNumber = number | '*';

/** A range "a:b" (either order, RFC 9051 §9 seq-range) or a single number (start === end). */
export interface SeqRange {
  start: SeqNumber;
  end: SeqNumber;
}

/** A sequence set (RFC 9051 §9 sequence-set), or "$": the saved search result (RFC 5182). */
export type SequenceSet = { kind: 'set'; ranges: SeqRange[] } | { kind: 'saved' };

/** RFC 9051 §6.4.5 section-spec: a part path and what of it. */
export interface SectionSpec {
  /** "1.2.3" as [1, 2, 3]; empty for the whole message. */
  part: number[];
  /** Absent: the whole part (or message). MIME needs a non-empty part path. */
  text?:
    | { kind: 'HEADER' }
    | { kind: 'TEXT' }
    | { kind: 'MIME' }
    | { kind: 'HEADER.FIELDS'; fields: string[]; not: boolean };
}

/** <offset.length> of BODY[]/BINARY[] (RFC 9051 §6.4.5). */
export interface Partial {
  offset: number;
  length: number;
}

/** One item of a FETCH (macros ALL, FAST, FULL are expanded by the parser). */
export type FetchItem =
  | { kind: 'UID' }
  | { kind: 'FLAGS' }
  | { kind: 'INTERNALDATE' }
  | { kind: 'RFC822.SIZE' }
  | { kind: 'ENVELOPE' }
  | { kind: 'BODY' }
  | { kind: 'BODYSTRUCTURE' }
  | { kind: 'MODSEQ' }
  /** RFC822 = BODY[], RFC822.HEADER = BODY.PEEK[HEADER], RFC822.TEXT = BODY[TEXT]; kept apart for the reply's name. */
  | { kind: 'RFC822' }
  | { kind: 'RFC822.HEADER' }
  | { kind: 'RFC822.TEXT' }
  | { kind: 'BODY[]'; section: SectionSpec; partial?: Partial; peek: boolean }
  /** RFC 3516 / RFC 9051 §6.4.5: BINARY[part]<partial>, content transfer encoding removed. */
  | { kind: 'BINARY[]'; part: number[]; partial?: Partial; peek: boolean }
  | { kind: 'BINARY.SIZE'; part: number[] };

export interface FetchModifiers {
  /** RFC 7162 §3.1.4.1 CHANGEDSINCE */
  changedSince?: number;
  /** RFC 7162 §3.2.6 VANISHED (UID FETCH only, with CHANGEDSINCE) */
  vanished?: boolean;
}

/** RFC 9051 §6.4.4 search-key. Dates are the day as "YYYY-MM-DD" (the timezone is the server's business). */
export type SearchKey =
  | { kind: 'all' }
  | { kind: 'flag'; flag: string; set: boolean } // ANSWERED/UNANSWERED, DELETED, DRAFT, FLAGGED, SEEN, KEYWORD/UNKEYWORD
  | { kind: 'new' } // RFC 3501: RECENT UNSEEN
  | { kind: 'old' } // RFC 3501: NOT RECENT
  | { kind: 'recent'; set: boolean } // RFC 3501 RECENT/… (no message is ever \Recent here)
  | { kind: 'header'; field: string; value: string } // FROM, TO, CC, BCC, SUBJECT are HEADER with that field
  | { kind: 'body'; value: string }
  | { kind: 'text'; value: string }
  | { kind: 'internaldate'; op: 'before' | 'on' | 'since'; date: string }
  | { kind: 'sentdate'; op: 'before' | 'on' | 'since'; date: string }
  | { kind: 'size'; op: 'larger' | 'smaller'; size: number }
  | { kind: 'uid'; set: SequenceSet }
  | { kind: 'seq'; set: SequenceSet }
  | { kind: 'modseq'; modseq: number } // RFC 7162 §3.1.5 (entry name and type are accepted and ignored)
  | { kind: 'older'; seconds: number } // RFC 5032 WITHIN
  | { kind: 'younger'; seconds: number }
  | { kind: 'not'; key: SearchKey }
  | { kind: 'or'; left: SearchKey; right: SearchKey }
  | { kind: 'and'; keys: SearchKey[] };

/** RFC 4731 ESEARCH / RFC 5182 SEARCHRES return options. */
export type SearchReturn = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE';

/** RFC 5256 SORT criteria (REVERSE applies to the key after it). */
export interface SortCriterion {
  key: 'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO' | 'DISPLAY';
  reverse: boolean;
}

export type StoreOperation = 'replace' | 'add' | 'remove';

/** RFC 9051 §6.3.9 / RFC 5258 LIST with its selection and return options. */
export interface ListCommandArgs {
  /** SUBSCRIBED, REMOTE, RECURSIVEMATCH (RFC 5258 §3.1), upper case. */
  selection: string[];
  reference: string;
  patterns: string[];
  /** SUBSCRIBED, CHILDREN, SPECIAL-USE, and STATUS (RFC 5819) with its items. */
  returns: { subscribed: boolean; children: boolean; specialUse: boolean; status?: StatusItem[] };
}

/** RFC 9051 §6.3.11 STATUS items (+ HIGHESTMODSEQ, RFC 7162; SIZE, RFC 8438). */
export type StatusItem =
  | 'MESSAGES'
  | 'UIDNEXT'
  | 'UIDVALIDITY'
  | 'UNSEEN'
  | 'DELETED'
  | 'SIZE'
  | 'RECENT'
  | 'HIGHESTMODSEQ'
  | 'APPENDLIMIT';

/** RFC 7162 §3.2.5 QRESYNC parameters of SELECT/EXAMINE. */
export interface QresyncParams {
  uidValidity: number;
  modseq: number;
  knownUids?: SequenceSet;
  /** Known sequence numbers and the UIDs they had, to shorten the VANISHED answer. */
  sequenceMatch?: { seqs: SequenceSet; uids: SequenceSet };
}

export type Command =
  | { name: 'CAPABILITY' }
  | { name: 'NOOP' }
  | { name: 'LOGOUT' }
  | { name: 'ID'; params: Array<[string, string | null]> | null }
  | { name: 'STARTTLS' }
  | { name: 'LOGIN'; user: string; password: string }
  | { name: 'AUTHENTICATE'; mechanism: string; initialResponse?: string }
  | { name: 'ENABLE'; capabilities: string[] }
  | {
      name: 'SELECT' | 'EXAMINE';
      mailbox: string;
      condstore: boolean;
      qresync?: QresyncParams;
    }
  | { name: 'CREATE'; mailbox: string; specialUse: string[] }
  | { name: 'DELETE'; mailbox: string }
  | { name: 'RENAME'; from: string; to: string }
  | { name: 'SUBSCRIBE' | 'UNSUBSCRIBE'; mailbox: string }
  | ({ name: 'LIST' } & ListCommandArgs)
  | { name: 'LSUB'; reference: string; pattern: string }
  | { name: 'NAMESPACE' }
  | { name: 'STATUS'; mailbox: string; items: StatusItem[] }
  | {
      name: 'APPEND';
      mailbox: string;
      flags: string[];
      /** INTERNALDATE as ms since the epoch. */
      date?: number;
      message: Buffer;
      /** Sent as literal8 (~{n}, RFC 3516): may hold NUL octets. */
      binary: boolean;
    }
  | { name: 'IDLE' }
  | { name: 'GETQUOTA'; root: string }
  | { name: 'GETQUOTAROOT'; mailbox: string }
  | { name: 'SETQUOTA'; root: string; limits: Array<[string, number]> }
  | { name: 'CHECK' }
  | { name: 'CLOSE' }
  | { name: 'UNSELECT' }
  | { name: 'EXPUNGE' }
  | { name: 'UID EXPUNGE'; set: SequenceSet }
  | {
      name: 'SEARCH';
      uid: boolean;
      /** Present when RETURN (…) was given (RFC 4731): the answer is an ESEARCH. */
      returns?: SearchReturn[];
      charset: string;
      key: SearchKey;
    }
  | {
      name: 'SORT';
      uid: boolean;
      returns?: SearchReturn[];
      criteria: SortCriterion[];
      charset: string;
      key: SearchKey;
    }
  | {
      name: 'THREAD';
      uid: boolean;
      algorithm: 'REFERENCES' | 'ORDEREDSUBJECT';
      charset: string;
      key: SearchKey;
    }
  | { name: 'FETCH'; uid: boolean; set: SequenceSet; items: FetchItem[]; modifiers: FetchModifiers }
  | {
      name: 'STORE';
      uid: boolean;
      set: SequenceSet;
      operation: StoreOperation;
      silent: boolean;
      flags: string[];
      /** RFC 7162 §3.1.3 UNCHANGEDSINCE */
      unchangedSince?: number;
    }
  | { name: 'COPY' | 'MOVE'; uid: boolean; set: SequenceSet; mailbox: string };

export type CommandName = Command['name'];

/** A command with its tag. */
export interface TaggedCommand {
  tag: string;
  command: Command;
}

/**
 * Why a command could not be parsed. `status` is the reply: BAD for syntax
 * (RFC 9051 §7.1.3), NO for a well-formed request the server will not serve
 * (an unknown CHARSET: NO [BADCHARSET]). `tag` is absent when even the tag
 * could not be read (the reply is then "* BAD").
 */
export interface ParseFailure {
  tag?: string;
  status: 'BAD' | 'NO';
  /** A response code without brackets, e.g. "BADCHARSET (UTF-8 US-ASCII)", "TOOBIG". */
  code?: string;
  message: string;
}
