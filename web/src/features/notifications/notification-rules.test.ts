import { assert, describe, test } from './node-test.ts';
import {
  buildIdOf,
  bytesOfBase64url,
  deliveryOf,
  isShowing,
  previewOf,
  routeOfAppUrl,
  sameBytes,
  withNotice,
  withoutShown,
  type Notice,
  type Situation,
} from './notification-rules.ts';

function notice(overrides: Partial<Notice> = {}): Notice {
  return {
    key: 'c:12',
    kind: 'message',
    senderId: 7,
    senderName: '佐藤 花子',
    where: '',
    preview: 'こんにちは',
    files: 0,
    route: ['chats', '12'],
    ...overrides,
  };
}

const visible: Situation = { hash: '#/org', visible: true, permission: 'default' };

describe('where a notice goes', () => {
  test('a visible tab elsewhere in the app gets a toast', () => {
    assert.equal(deliveryOf(notice(), visible), 'toast');
    assert.equal(deliveryOf(notice(), { ...visible, hash: '#/chats/13' }), 'toast');
    assert.equal(deliveryOf(notice(), { ...visible, hash: '#/chats/120' }), 'toast');
  });

  test('nothing for the conversation on screen', () => {
    assert.equal(deliveryOf(notice(), { ...visible, hash: '#/chats/12' }), 'none');
    assert.equal(deliveryOf(notice(), { ...visible, hash: '#/chats/12/info' }), 'none');
  });

  test('a hidden tab gets a system notification when allowed, even for the open conversation', () => {
    const hidden = { ...visible, visible: false, permission: 'granted' as const };
    assert.equal(deliveryOf(notice(), hidden), 'system');
    assert.equal(deliveryOf(notice(), { ...hidden, hash: '#/chats/12' }), 'system');
  });

  test('a hidden tab without permission keeps a toast for the return, not for the open conversation', () => {
    for (const permission of ['default', 'denied', 'unsupported'] as const) {
      const hidden = { ...visible, visible: false, permission };
      assert.equal(deliveryOf(notice(), hidden), 'toast');
      assert.equal(deliveryOf(notice(), { ...hidden, hash: '#/chats/12' }), 'none');
    }
  });

  test('a memo is shown by the inbox and by its own page', () => {
    const memo = notice({ key: 'm:88', kind: 'memo', route: ['memos', '88'] });
    assert.ok(isShowing('#/memos', memo));
    assert.ok(isShowing('#/memos/inbox', memo));
    assert.ok(isShowing('#/memos/88', memo));
    assert.ok(!isShowing('#/memos/sent', memo));
    assert.ok(!isShowing('#/memos/87', memo));
    assert.ok(!isShowing('#/chats/88', memo));
    assert.ok(!isShowing('', memo));
  });
});

describe('the toast list', () => {
  test('notices of one conversation make one toast that counts them, newest text first', () => {
    let toasts = withNotice([], notice({ preview: 'one' }));
    toasts = withNotice(toasts, notice({ key: 'c:13', route: ['chats', '13'] }));
    toasts = withNotice(toasts, notice({ preview: 'two' }));
    assert.deepEqual(
      toasts.map((toast) => [toast.key, toast.count, toast.preview]),
      [
        ['c:12', 2, 'two'],
        ['c:13', 1, 'こんにちは'],
      ],
    );
    assert.equal(toasts[0]?.version, 1);
  });

  test('a mention stays a mention when a plain message follows', () => {
    let toasts = withNotice([], notice({ kind: 'mention', where: 'Launch' }));
    toasts = withNotice(toasts, notice({ kind: 'message' }));
    assert.equal(toasts[0]?.kind, 'mention');
  });

  test('at most three toasts, the oldest dropped', () => {
    let toasts = withNotice([], notice({ key: 'c:1' }));
    for (const key of ['c:2', 'c:3', 'c:4']) toasts = withNotice(toasts, notice({ key }));
    assert.deepEqual(
      toasts.map((toast) => toast.key),
      ['c:4', 'c:3', 'c:2'],
    );
  });

  test('opening a conversation removes its toast and keeps the list as it is otherwise', () => {
    const toasts = withNotice(withNotice([], notice()), notice({ key: 'c:13', route: ['chats', '13'] }));
    assert.deepEqual(
      withoutShown(toasts, '#/chats/12').map((toast) => toast.key),
      ['c:13'],
    );
    assert.equal(withoutShown(toasts, '#/org'), toasts);
  });
});

describe('texts and URLs', () => {
  test('a preview is one line, cut by characters without splitting an emoji', () => {
    assert.equal(previewOf('  first\n\nsecond\tthird  '), 'first second third');
    assert.equal(previewOf('😀'.repeat(10), 5), '😀😀😀😀…');
    assert.equal(previewOf('abcde', 5), 'abcde');
  });

  test('a notification URL of this app gives its route; others give none', () => {
    const origin = 'https://coo.example';
    assert.equal(routeOfAppUrl('https://coo.example/#/chats/12', origin), '#/chats/12');
    assert.equal(routeOfAppUrl('/#/memos/8', origin), '#/memos/8');
    assert.equal(routeOfAppUrl('https://evil.example/#/chats/12', origin), null);
    assert.equal(routeOfAppUrl('https://coo.example/', origin), null);
  });

  test('the build id is the hash in the entry script’s name', () => {
    assert.equal(buildIdOf('https://coo.example/assets/index-DisT41iD.js'), 'DisT41iD');
    assert.equal(buildIdOf('https://coo.example/assets/index-Dis_T4-iD.js?v=1'), 'Dis_T4-iD');
    assert.equal(buildIdOf('http://localhost:5173/src/features/notifications/service-worker.ts'), 'dev');
  });

  test('a VAPID key decodes from base64url and compares by bytes', () => {
    const bytes = bytesOfBase64url('BAEC_-8');
    assert.deepEqual([...bytes], [4, 1, 2, 255, 239]);
    assert.ok(sameBytes(new Uint8Array([4, 1, 2, 255, 239]).buffer, bytes));
    assert.ok(!sameBytes(new Uint8Array([4, 1, 2, 255]).buffer, bytes));
    assert.ok(!sameBytes(null, bytes));
  });
});
