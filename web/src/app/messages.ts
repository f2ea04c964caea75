import { defineMessages } from '../lib/i18n.ts';

export const appMessages = defineMessages(
  {
    connecting: 'Connecting…',
    offline: 'Offline. Reconnecting in {seconds} s…',
    offlineNow: 'Reconnect now',
    reconnecting: 'Reconnecting…',
    navOrg: 'People',
    navChats: 'Chats',
    navMemos: 'Memos',
    navAdmin: 'Administration',
    mainNav: 'Main',
    logOut: 'Log out',
    language: 'Language',
    account: 'Account',
    unread: '{count} unread',
  },
  {
    connecting: '接続しています…',
    offline: 'オフラインです。{seconds} 秒後に再接続します…',
    offlineNow: '今すぐ再接続',
    reconnecting: '再接続しています…',
    navOrg: '組織図',
    navChats: 'チャット',
    navMemos: 'メモ',
    navAdmin: '管理',
    mainNav: 'メイン',
    logOut: 'ログアウト',
    language: '言語',
    account: 'アカウント',
    unread: '未読 {count} 件',
  },
);
