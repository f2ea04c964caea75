import { useState, type FormEvent } from 'react';
import type { ConnectionStatus } from '../../lib/connection.ts';
import { LOCALES, setLocale, useLocale, useT } from '../../lib/i18n.ts';
import { endedStore, logIn, LoginFailed } from '../../lib/session.ts';
import { useStore } from '../../lib/store.ts';
import { loginMessages } from './messages.ts';

type Ended = Extract<ConnectionStatus, { kind: 'ended' }>;

/** Address and password, "remember this device", and why the last session ended. */
export function LoginScreen() {
  const t = useT(loginMessages);
  const locale = useLocale();
  const ended = useStore(endedStore);
  const [address, setAddress] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await logIn(address.trim(), password, remember);
    } catch (failure) {
      setError(failure instanceof LoginFailed ? localizedLoginError(failure.ended, t) : String(failure));
      setBusy(false);
    }
  }

  return (
    <div className="login">
      <form className="login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <h1 id="login-title">
          <span className="login-logo">Coo</span> {t('title')}
        </h1>
        {ended && <EndedNotice ended={ended} />}
        <label>
          {t('address')}
          <input
            name="address"
            type="text"
            autoComplete="username"
            inputMode="email"
            autoCapitalize="none"
            spellCheck={false}
            required
            autoFocus
            value={address}
            onChange={(event) => setAddress(event.target.value)}
          />
        </label>
        <label>
          {t('password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <label className="checkbox">
          <input
            name="remember"
            type="checkbox"
            checked={remember}
            onChange={(event) => setRemember(event.target.checked)}
          />
          {t('remember')}
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('loggingIn') : t('logIn')}
        </button>
        <div className="login-locale">
          {LOCALES.map((code) => (
            <button
              key={code}
              type="button"
              className="link"
              aria-pressed={locale === code}
              onClick={() => setLocale(code)}
            >
              {code === 'ja' ? '日本語' : 'English'}
            </button>
          ))}
        </div>
      </form>
    </div>
  );
}

function EndedNotice({ ended }: { ended: Ended }) {
  const t = useT(loginMessages);
  let text: string;
  switch (ended.reason) {
    case 'replaced': {
      const by = (ended.event?.by ?? {}) as { name?: string };
      text = t('replaced', { device: by.name ?? '?' });
      break;
    }
    case 'revoked':
      text = t('revoked');
      break;
    case 'account-blocked':
      text = (ended.event?.message as string | undefined) ?? t('blocked');
      break;
    case 'auth-failed':
      text = localizedLoginError(ended, t);
      break;
    case 'signed-out':
      return null;
  }
  return (
    <div className="notice" role="alert" data-reason={ended.reason}>
      {text}
    </div>
  );
}

const KNOWN_CODES = {
  AUTH_FAILED: 'authFailed',
  AUTH_THROTTLED: 'authThrottled',
  AUTH_DISABLED: 'authDisabled',
  AUTH_EXPIRED: 'authExpired',
  AUTH_NOT_YET_VALID: 'authNotYetValid',
  IM_RESUME_INVALID: 'resumeInvalid',
} as const;

/** The server's reason in the user's language; its own message where we have no better one. */
function localizedLoginError(
  ended: Ended,
  t: ReturnType<typeof useT<keyof typeof loginMessages.en>>,
): string {
  const key = ended.code ? KNOWN_CODES[ended.code as keyof typeof KNOWN_CODES] : undefined;
  if (key === 'authThrottled') return `${t(key)} (${ended.message})`;
  if (key) return t(key);
  return ended.message || t('failed');
}
