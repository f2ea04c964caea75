import { useState, type FormEvent } from 'react';
import { useT } from '../../lib/i18n.ts';
import { isLimitName, LIMIT_NAMES, type LimitName } from '../../../../src/protocol/limits.ts';
import type { ApiTlsCertificate } from '../../../../src/protocol/tls.ts';
import { listSettings, putSetting, tlsCertificate } from './admin-api.ts';
import { CertificateForm } from './CertificateForm.tsx';
import { CertificateCard } from './DashboardSection.tsx';
import { adminMessages } from './messages.ts';
import { SettingsLimits } from './SettingsLimits.tsx';
import { settingMessages } from './settings-messages.ts';
import type { ApiSetting, DashboardCertificate } from './types.ts';
import { ErrorNote, StatusNote, useLoad } from './ui.tsx';

type SettingKey = keyof (typeof settingMessages)['en'];

/** The settings the console knows, with their choices; any other is edited as text. */
const CHOICES: Record<string, { label: SettingKey; options: { value: string; label: SettingKey }[] }> = {
  'im.login-policy': {
    label: 'loginPolicy',
    options: [
      { value: 'single', label: 'policySingle' },
      { value: 'one-per-kind', label: 'policyOnePerKind' },
      { value: 'multiple', label: 'policyMultiple' },
    ],
  },
  'im.audit-content': {
    label: 'auditContent',
    options: [
      { value: 'none', label: 'auditNone' },
      { value: 'keep', label: 'auditKeep' },
    ],
  },
};

/** The dashboard's card shows the certificate in its own shape; IP names are names too. */
function asCard(info: ApiTlsCertificate): DashboardCertificate {
  return {
    subject: info.subject,
    issuer: info.issuer,
    dnsNames: [...info.dnsNames, ...info.ipAddresses],
    validFrom: info.notBefore,
    validTo: info.notAfter,
    selfSigned: info.selfSigned,
    fingerprint256: info.fingerprint256,
  };
}

/** `#/admin/settings`: run-time settings (applied at once, audited), the limits, and the TLS certificate, replaceable. */
export function SettingsSection() {
  const t = useT(settingMessages);
  const ta = useT(adminMessages);
  const settings = useLoad(listSettings, 'settings');
  const certificate = useLoad(tlsCertificate, 'certificate');
  const all = settings.data ?? [];
  const known = all.filter((setting) => setting.name in CHOICES || setting.name === 'im.auto-away-minutes');
  // In the order of LIMIT_NAMES: sizes first, then the mail counts.
  const limits = LIMIT_NAMES.flatMap((name: LimitName) => {
    const setting = all.find((s) => s.name === name);
    return setting ? [{ name, setting }] : [];
  });
  const others = all.filter((setting) => !known.includes(setting) && !isLimitName(setting.name));

  return (
    <section className="admin-section" aria-labelledby="settings-title">
      <header className="admin-head">
        <h2 id="settings-title">{ta('navSettings')}</h2>
      </header>
      <ErrorNote error={settings.error} />
      {known.map((setting) => (
        <SettingForm key={setting.name} setting={setting} onSaved={settings.reload} />
      ))}
      <SettingsLimits settings={limits} onSaved={settings.reload} />
      {others.length > 0 && <h3>{t('other')}</h3>}
      {others.map((setting) => (
        <SettingForm key={setting.name} setting={setting} onSaved={settings.reload} />
      ))}
      <ErrorNote error={certificate.error} />
      {certificate.data && <CertificateCard data={{ certificate: asCard(certificate.data) }} />}
      <p className="muted small">{t('certificateHelp')}</p>
      <CertificateForm onReplaced={certificate.reload} />
    </section>
  );
}

function SettingForm({ setting, onSaved }: { setting: ApiSetting; onSaved: () => void }) {
  const t = useT(settingMessages);
  const ta = useT(adminMessages);
  const [value, setValue] = useState(String(setting.value));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const choices = CHOICES[setting.name];
  const minutes = setting.name === 'im.auto-away-minutes';
  const minutesBad = minutes && (!/^\d{1,4}$/.test(value.trim()) || Number(value) > 1440);
  const label = choices ? t(choices.label) : minutes ? t('autoAway') : setting.name;
  const dirty = value !== String(setting.value);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!dirty || minutesBad) return;
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const typed =
        typeof setting.value === 'number'
          ? Number(value)
          : typeof setting.value === 'boolean'
            ? value === 'true'
            : value;
      await putSetting(setting.name, typed);
      setStatus(t('changed', { name: label }));
      onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="admin-panel setting"
      onSubmit={(event) => void submit(event)}
      data-setting={setting.name}
    >
      <fieldset>
        <legend>
          {label} {setting.isDefault && <span className="badge">{t('defaultValue')}</span>}
        </legend>
        {choices ? (
          choices.options.map((option) => (
            <label key={option.value} className="checkbox">
              <input
                type="radio"
                name={setting.name}
                value={option.value}
                checked={value === option.value}
                onChange={() => setValue(option.value)}
              />
              {t(option.label)}
            </label>
          ))
        ) : minutes ? (
          <label className="inline-field">
            <input
              type="number"
              min={0}
              max={1440}
              step={1}
              value={value}
              aria-label={label}
              aria-invalid={minutesBad || undefined}
              onChange={(event) => setValue(event.target.value)}
            />
            <span>{t('autoAwayUnit')}</span>
          </label>
        ) : (
          <label>
            <span className="muted small">{setting.description}</span>
            <input
              type="text"
              value={value}
              aria-label={label}
              onChange={(event) => setValue(event.target.value)}
            />
          </label>
        )}
        {minutesBad && <p className="form-error small">{t('autoAwayInvalid')}</p>}
      </fieldset>
      <ErrorNote error={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!dirty || busy || minutesBad}>
          {busy ? ta('saving') : ta('save')}
        </button>
        <StatusNote text={status} />
      </div>
    </form>
  );
}
