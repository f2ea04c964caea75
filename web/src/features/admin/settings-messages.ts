import { defineMessages } from '../../lib/i18n.ts';

/** Server settings and the certificate. */
export const settingMessages = defineMessages(
  {
    loginPolicy: 'Messenger logins per person',
    policySingle: 'Single: a new login replaces the previous session',
    policyOnePerKind: 'One per kind: one desktop, one phone and one browser at a time',
    policyMultiple: 'Multiple: any number of devices at once',
    autoAway: 'Away after inactivity',
    autoAwayUnit: 'minutes (0: never)',
    autoAwayInvalid: 'Give a whole number of minutes from 0 to 1440.',
    auditContent: 'Message text in the audit log',
    auditNone: 'Metadata only: who, where and how large — not the text',
    auditKeep: 'Keep the text of chat messages and memos',
    defaultValue: 'default',
    changed: '{name} changed.',
    other: 'Other settings',
    certificateHelp:
      'The certificate cannot be uploaded here yet. To replace it, put the new cert.pem and key.pem in the data folder’s tls/ directory and restart the server.',
  },
  {
    loginPolicy: 'メッセンジャーの同時ログイン',
    policySingle: '1 台のみ: 新しいログインで前のセッションを終了',
    policyOnePerKind: '種類ごとに 1 台: PC・スマートフォン・ブラウザーを各 1 台',
    policyMultiple: '複数可: 台数の制限なし',
    autoAway: '操作がないときに離席にするまで',
    autoAwayUnit: '分（0 で離席にしない）',
    autoAwayInvalid: '0〜1440 の整数（分）で指定してください。',
    auditContent: '監査ログのメッセージ本文',
    auditNone: 'メタデータのみ（送信者・宛先・サイズ）。本文は記録しない',
    auditKeep: 'チャットとメモの本文も記録する',
    defaultValue: '既定値',
    changed: '{name} を変更しました。',
    other: 'その他の設定',
    certificateHelp:
      '証明書はまだここからアップロードできません。差し替えるには、データフォルダーの tls/ に新しい cert.pem と key.pem を置き、サーバーを再起動してください。',
  },
);
