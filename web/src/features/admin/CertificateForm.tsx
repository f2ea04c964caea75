import { useState, type ChangeEvent, type FormEvent } from 'react';
import { TlsProblem, type ApiTlsCertificate } from '../../../../src/protocol/tls.ts';
import { ApiError } from '../../lib/api.ts';
import { formatDateTime, useLocale, useT } from '../../lib/i18n.ts';
import { replaceTlsCertificate } from './admin-api.ts';
import { settingMessages } from './settings-messages.ts';
import { ErrorNote, StatusNote } from './ui.tsx';

type SettingKey = keyof (typeof settingMessages)['en'];

/** The server's reason for TLS_INVALID, worded in the console's language. */
const PROBLEM_MESSAGES: Record<TlsProblem, SettingKey> = {
  [TlsProblem.certificateNotPem]: 'tlsCertificateNotPem',
  [TlsProblem.keyNotPem]: 'tlsKeyNotPem',
  [TlsProblem.keyEncrypted]: 'tlsKeyEncrypted',
  [TlsProblem.keyMismatch]: 'tlsKeyMismatch',
  [TlsProblem.expired]: 'tlsExpired',
  [TlsProblem.notYetValid]: 'tlsNotYetValid',
  [TlsProblem.chainOrder]: 'tlsChainOrder',
  [TlsProblem.unusable]: 'tlsUnusable',
};

function problemOf(error: unknown): TlsProblem | null {
  if (!(error instanceof ApiError) || error.code !== 'TLS_INVALID') return null;
  const reason = (error.details[0] as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' && Object.hasOwn(PROBLEM_MESSAGES, reason)
    ? (reason as TlsProblem)
    : null;
}

/**
 * Uploads a new certificate and key (pasted, or read from files in the
 * browser). The server checks them and switches at once; the key is cleared
 * from the page as soon as it has been sent.
 */
export function CertificateForm({ onReplaced }: { onReplaced: (info: ApiTlsCertificate) => void }) {
  const t = useT(settingMessages);
  const locale = useLocale();
  const [certificate, setCertificate] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const problem = problemOf(error);
  const ready = certificate.trim() !== '' && privateKey.trim() !== '';

  function readInto(set: (text: string) => void) {
    return (event: ChangeEvent<HTMLInputElement>) => {
      const file = event.target.files?.[0];
      if (!file) return;
      file.text().then(set, setError);
    };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const info = await replaceTlsCertificate(certificate, privateKey);
      setCertificate('');
      setPrivateKey('');
      (event.target as HTMLFormElement).reset();
      setStatus(
        t('certificateReplaced', {
          subject: info.subject,
          date: formatDateTime(Date.parse(info.notAfter), locale),
        }),
      );
      onReplaced(info);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="admin-panel admin-form certificate-form"
      aria-labelledby="certificate-form-title"
      onSubmit={(event) => void submit(event)}
    >
      <h3 id="certificate-form-title">{t('replaceTitle')}</h3>
      <label>
        {t('certificateLabel')}
        <span className="muted small">{t('certificateHint')}</span>
        <textarea
          name="certificate"
          rows={6}
          spellCheck={false}
          autoComplete="off"
          value={certificate}
          placeholder="-----BEGIN CERTIFICATE-----"
          onChange={(event) => setCertificate(event.target.value)}
        />
      </label>
      <label>
        {t('certificateFile')}
        <input type="file" accept=".pem,.crt,.cer,text/plain" onChange={readInto(setCertificate)} />
      </label>
      <label>
        {t('keyLabel')}
        <textarea
          name="privateKey"
          rows={6}
          spellCheck={false}
          autoComplete="off"
          value={privateKey}
          placeholder="-----BEGIN PRIVATE KEY-----"
          onChange={(event) => setPrivateKey(event.target.value)}
        />
      </label>
      <label>
        {t('keyFile')}
        <input type="file" accept=".pem,.key,text/plain" onChange={readInto(setPrivateKey)} />
      </label>
      {problem ? (
        <p className="form-error" role="alert" data-reason={problem}>
          {t(PROBLEM_MESSAGES[problem])}
        </p>
      ) : (
        <ErrorNote error={error} />
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!ready || busy}>
          {busy ? t('replacing') : t('replaceCertificate')}
        </button>
        <StatusNote text={status} />
      </div>
      {status && <p className="muted small">{t('certificateReconnect')}</p>}
    </form>
  );
}
