import { useState, type FormEvent } from 'react';
import type { ApiUser } from '../../../../src/protocol/admin-api.ts';
import { formatDateTime, useLocale, useT } from '../../lib/i18n.ts';
import { listDevices, revokeDevice, setDisabled, setPassword } from './admin-api.ts';
import { adminMessages } from './messages.ts';
import { userMessages } from './users-messages.ts';
import { ConfirmButton, ErrorNote, Modal, StatusNote, useLoad } from './ui.tsx';

/** Below the user form: enable or disable, reset the password, the messenger devices. */
export function AccountPanel({
  user,
  self,
  onChanged,
}: {
  user: ApiUser;
  self: string;
  onChanged: () => void;
}) {
  const t = useT(userMessages);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [resetting, setResetting] = useState(false);

  async function toggle(disabled: boolean) {
    setError(null);
    setStatus(null);
    try {
      await setDisabled(user.address, disabled);
      setStatus(disabled ? t('disabledDone') : t('enabledDone'));
      onChanged();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section className="admin-panel" aria-labelledby="account-title">
      <h3 id="account-title">{t('account')}</h3>
      <p>{user.disabled ? t('accountDisabled') : t('accountEnabled')}</p>
      <div className="form-actions">
        {user.disabled ? (
          <button type="button" onClick={() => void toggle(false)}>
            {t('enable')}
          </button>
        ) : (
          <ConfirmButton
            label={t('disable')}
            confirmLabel={t('disableConfirm', { address: user.address })}
            disabled={user.address === self}
            onConfirm={() => void toggle(true)}
          />
        )}
        <button type="button" onClick={() => setResetting(true)}>
          {t('resetPassword')}
        </button>
      </div>
      <ErrorNote error={error} />
      <StatusNote text={status} />
      <PasswordDialog
        address={user.address}
        open={resetting}
        onClose={() => setResetting(false)}
        onDone={() => {
          setResetting(false);
          setStatus(t('passwordChanged'));
        }}
      />
      <Devices address={user.address} />
    </section>
  );
}

/** The admin types the new password twice; it is sent once and never shown again. */
function PasswordDialog({
  address,
  open,
  onClose,
  onDone,
}: {
  address: string;
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const t = useT(userMessages);
  const ta = useT(adminMessages);
  const [password, setPasswordText] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const differ = repeat !== '' && password !== repeat;

  function close() {
    setPasswordText('');
    setRepeat('');
    setError(null);
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy || differ || password === '') return;
    setBusy(true);
    setError(null);
    try {
      await setPassword(address, password);
      setPasswordText('');
      setRepeat('');
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title={t('resetPassword')} open={open} onClose={close}>
      <form className="admin-form" onSubmit={(event) => void submit(event)}>
        <p className="muted">{address}</p>
        <label>
          {t('newPassword')}
          <input
            type="password"
            name="new-password"
            autoComplete="new-password"
            required
            autoFocus
            value={password}
            onChange={(event) => setPasswordText(event.target.value)}
          />
        </label>
        <label>
          {t('newPasswordRepeat')}
          <input
            type="password"
            name="new-password-repeat"
            autoComplete="new-password"
            required
            aria-invalid={differ || undefined}
            value={repeat}
            onChange={(event) => setRepeat(event.target.value)}
          />
        </label>
        {differ && <p className="form-error">{t('passwordsDiffer')}</p>}
        <p className="muted small">{t('passwordNote')}</p>
        <ErrorNote error={error} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || differ || password === ''}>
            {t('setPassword')}
          </button>
          <button type="button" onClick={close}>
            {ta('cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function Devices({ address }: { address: string }) {
  const t = useT(userMessages);
  const locale = useLocale();
  const loaded = useLoad(() => listDevices(address), address);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function revoke(id: number) {
    setError(null);
    try {
      await revokeDevice(address, id);
      setStatus(t('revoked'));
      loaded.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  const devices = loaded.data ?? [];
  return (
    <div className="devices">
      <h4>{t('devices')}</h4>
      <ErrorNote error={loaded.error ?? error} />
      {loaded.data && devices.length === 0 && <p className="muted">{t('noDevices')}</p>}
      <ul className="plain-list">
        {devices.map((device) => (
          <li key={device.id}>
            <div>
              <strong>{device.name}</strong>{' '}
              {device.remembered && <span className="badge">{t('deviceRemembered')}</span>}
              <div className="muted small">
                {t('deviceLastSeen', {
                  time: formatDateTime(Date.parse(device.lastSeenAt), locale),
                  remote: device.lastRemote,
                })}
              </div>
            </div>
            <ConfirmButton
              label={t('revoke')}
              confirmLabel={t('revokeConfirm')}
              onConfirm={() => void revoke(device.id)}
            />
          </li>
        ))}
      </ul>
      <StatusNote text={status} />
    </div>
  );
}
