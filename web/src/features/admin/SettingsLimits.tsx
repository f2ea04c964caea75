import { useId, useState, type FormEvent } from 'react';
import { useLocale, useT } from '../../lib/i18n.ts';
import { LIMIT_RANGES, type LimitName } from '../../../../src/protocol/limits.ts';
import { putSetting } from './admin-api.ts';
import { formatBytes } from './format.ts';
import { adminMessages } from './messages.ts';
import {
  countFromForm,
  formatFormSize,
  SIZE_UNITS,
  sizeFromForm,
  sizeToForm,
  withinRange,
  type SizeUnit,
} from './settings-limits.ts';
import { settingMessages } from './settings-messages.ts';
import type { ApiSetting } from './types.ts';
import { ErrorNote, StatusNote } from './ui.tsx';

type SettingKey = keyof (typeof settingMessages)['en'];

const LABELS: Record<LimitName, { label: SettingKey; unit?: SettingKey }> = {
  'im.max-upload-size': { label: 'uploadSize' },
  'mail.max-message-size': { label: 'messageSize' },
  'mail.max-messages-per-hour': { label: 'messagesPerHour', unit: 'messagesPerHourUnit' },
  'mail.max-recipients': { label: 'recipients', unit: 'recipientsUnit' },
};

/**
 * The Limits group of `#/admin/settings`: upload and message sizes (in MB or
 * GB), the hourly send limit and the recipients of one message. Each applies
 * to the next upload or mail session; while never changed, coo.toml's value
 * applies, and the form says so.
 */
export function SettingsLimits({
  settings,
  onSaved,
}: {
  settings: { name: LimitName; setting: ApiSetting }[];
  onSaved: () => void;
}) {
  const t = useT(settingMessages);
  const titleId = useId();
  if (settings.length === 0) return null;
  return (
    <section className="admin-section settings-limits" aria-labelledby={titleId}>
      <h3 id={titleId}>{t('limits')}</h3>
      <p className="muted small">{t('limitsHelp')}</p>
      {settings.map(({ name, setting }) => (
        <LimitForm key={name} name={name} setting={setting} onSaved={onSaved} />
      ))}
    </section>
  );
}

function LimitForm({
  name,
  setting,
  onSaved,
}: {
  name: LimitName;
  setting: ApiSetting;
  onSaved: () => void;
}) {
  const t = useT(settingMessages);
  const ta = useT(adminMessages);
  const locale = useLocale();
  const range = LIMIT_RANGES[name];
  const isSize = range.kind === 'size';
  const current = Number(setting.value);
  const shown = isSize ? sizeToForm(current) : { amount: String(current), unit: 'MB' as const };
  const [amount, setAmount] = useState(shown.amount);
  const [unit, setUnit] = useState<SizeUnit>(shown.unit);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const value = isSize ? sizeFromForm(amount, unit) : countFromForm(amount);
  const valid = withinRange(name, value);
  const dirty = value !== current;
  const label = t(LABELS[name].label);
  const unitLabel = LABELS[name].unit;
  const problem = isSize
    ? t('sizeInvalid', { min: formatFormSize(range.min), max: formatFormSize(range.max) })
    : t('countInvalid', { min: range.min, max: range.max });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!dirty || !valid) return;
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      await putSetting(name, value);
      setStatus(t('changed', { name: label }));
      onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="admin-panel setting" onSubmit={(event) => void submit(event)} data-setting={name}>
      <fieldset>
        <legend>{label}</legend>
        {setting.isDefault && (
          <p className="muted small" data-default>
            {t('fromConfig', { value: isSize ? formatBytes(current, locale) : current })}
          </p>
        )}
        <div className="inline-field">
          <input
            type="text"
            inputMode={isSize ? 'decimal' : 'numeric'}
            name={name}
            value={amount}
            aria-label={label}
            aria-invalid={!valid || undefined}
            onChange={(event) => setAmount(event.target.value)}
          />
          {isSize ? (
            <select
              name={`${name}-unit`}
              value={unit}
              aria-label={t('sizeUnit')}
              onChange={(event) => setUnit(event.target.value as SizeUnit)}
            >
              {Object.keys(SIZE_UNITS).map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          ) : (
            unitLabel && <span>{t(unitLabel)}</span>
          )}
        </div>
        {!valid && <p className="form-error small">{problem}</p>}
      </fieldset>
      <ErrorNote error={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!dirty || busy || !valid}>
          {busy ? ta('saving') : ta('save')}
        </button>
        <StatusNote text={status} />
      </div>
    </form>
  );
}
