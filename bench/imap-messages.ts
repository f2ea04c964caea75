/**
 * Mail for the IMAP benchmark: distinct, realistic messages (From, To,
 * Subject, Date, Message-ID, MIME headers, a UTF-8 text body mixing
 * Japanese and English words), reproducible from a seed. A few percent
 * carry SEARCH_WORD, so a text SEARCH has a known answer.
 */

/** The word a few messages carry in their body, and nothing else does. */
export const SEARCH_WORD = 'quokkaflare';

/** One message in twenty-five carries SEARCH_WORD (4 %). */
const SEARCH_WORD_EVERY = 25;

export interface BenchMessage {
  raw: Buffer;
  /** Decoded subject, sender and Message-ID, as delivery would store them. */
  subject: string;
  fromAddress: string;
  messageId: string;
  date: number;
  flags: string[];
  hasSearchWord: boolean;
}

const ENGLISH = [
  'meeting',
  'schedule',
  'review',
  'budget',
  'invoice',
  'contract',
  'deadline',
  'release',
  'customer',
  'project',
  'update',
  'report',
  'quarter',
  'proposal',
  'design',
  'server',
  'account',
  'shipment',
  'please',
  'confirm',
  'attached',
  'thanks',
  'tomorrow',
  'morning',
  'office',
  'travel',
  'estimate',
  'approval',
  'the',
  'and',
  'for',
  'with',
  'we',
  'will',
  'send',
  'check',
  'next',
  'week',
  'team',
  'draft',
];

const JAPANESE = [
  '会議',
  '資料',
  '確認',
  '予定',
  'お願いします',
  '提案',
  '見積もり',
  '契約',
  '出張',
  '報告',
  '来週',
  '本日',
  'ご連絡',
  'よろしく',
  '担当',
  '打ち合わせ',
  '請求書',
  '納期',
  '変更',
  '承認',
  'お世話になっております',
  '東京',
  '大阪',
  '営業部',
  '開発',
  '品質',
  '出荷',
  '検討',
  '対応',
  'ありがとうございます',
];

const SENDERS = [
  ['Sato Hanako', 'hanako.sato'],
  ['Suzuki Ichiro', 'ichiro.suzuki'],
  ['Takahashi Yui', 'yui.takahashi'],
  ['Tanaka Ken', 'ken.tanaka'],
  ['Watanabe Mio', 'mio.watanabe'],
  ['Alice Martin', 'alice'],
  ['Bob Chen', 'bob.chen'],
  ['Carol Diaz', 'carol'],
  ['Ito Sho', 'sho.ito'],
  ['Yamamoto Aoi', 'aoi.yamamoto'],
] as const;

const SENDER_DOMAINS = ['example.com', 'example.net', 'partner.example.jp', 'vendor.example.org'];

/** mulberry32: a small seeded generator, so two runs fill the same mailbox. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** Flags as a mailbox of some years holds them: most read, some answered or flagged, 10 % unseen. */
function flagsFor(random: () => number): string[] {
  const flags: string[] = [];
  if (random() >= 0.1) flags.push('\\Seen');
  if (random() < 0.05) flags.push('\\Answered');
  if (random() < 0.02) flags.push('\\Flagged');
  if (random() < 0.01) flags.push('$Forwarded');
  return flags;
}

/** RFC 5322 §3.3 date-time in Japan's zone (+0900). */
function rfc5322Date(ms: number): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const local = new Date(ms + 9 * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${days[local.getUTCDay()]}, ${local.getUTCDate()} ${months[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())} +0900`
  );
}

/** RFC 2047 encoded word (UTF-8, B) when the text is not plain ASCII. */
function encodedWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function sentence(random: () => number, words: number): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(random() < 0.4 ? pick(random, JAPANESE) : pick(random, ENGLISH));
  return parts.join(' ');
}

/**
 * Message number `index` (0-based) of a mailbox whose mail spans `from` to
 * `to` (ms): dates ascend with the index, as delivered mail's do.
 */
export function makeMessage(
  random: () => number,
  index: number,
  options: { to: string; size: number; from: number; until: number; total: number },
): BenchMessage {
  const [name, local] = pick(random, SENDERS);
  const fromAddress = `${local}@${pick(random, SENDER_DOMAINS)}`;
  const date = Math.floor(
    options.from + ((options.until - options.from) * index) / Math.max(1, options.total),
  );
  const subject = `${random() < 0.3 ? 'Re: ' : ''}${sentence(random, 3)} #${index + 1}`;
  const messageId = `${index + 1}.${Math.floor(random() * 2 ** 32).toString(36)}@bench.example`;
  const hasSearchWord = index % SEARCH_WORD_EVERY === 7;
  const header =
    `From: ${encodedWord(name)} <${fromAddress}>\r\n` +
    `To: ${options.to}\r\n` +
    `Subject: ${encodedWord(subject)}\r\n` +
    `Date: ${rfc5322Date(date)}\r\n` +
    `Message-ID: <${messageId}>\r\n` +
    'MIME-Version: 1.0\r\n' +
    'Content-Type: text/plain; charset=UTF-8\r\n' +
    'Content-Transfer-Encoding: 8bit\r\n\r\n';
  const lines: string[] = [];
  let length = Buffer.byteLength(header);
  const searchLine = hasSearchWord ? Math.floor(random() * 8) : -1;
  while (length < options.size) {
    let line = sentence(random, 8 + Math.floor(random() * 6));
    if (lines.length === searchLine) line = `${line} ${SEARCH_WORD}`;
    lines.push(line);
    length += Buffer.byteLength(line) + 2;
  }
  // A body shorter than the search line's position still has the word.
  if (hasSearchWord && searchLine >= lines.length) lines.push(SEARCH_WORD);
  return {
    raw: Buffer.from(`${header}${lines.join('\r\n')}\r\n`, 'utf8'),
    subject,
    fromAddress,
    messageId,
    date,
    flags: flagsFor(random),
    hasSearchWord,
  };
}
