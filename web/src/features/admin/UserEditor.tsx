import { useEffect, useState, type FormEvent } from 'react';
import type { ApiUser } from '../../../../src/protocol/admin-api.ts';
import { useT } from '../../lib/i18n.ts';
import { createStore, useStore } from '../../lib/store.ts';
import { href, navigate } from '../../lib/router.ts';
import { createUser, getUser, orgTree, updateUser, type UserFields } from './admin-api.ts';
import { formatQuota, parseQuota, toDateInput } from './format.ts';
import { adminMessages } from './messages.ts';
import { allPaths } from './org-model.ts';
import { AccountPanel } from './UserAccount.tsx';
import { UserBadges } from './UsersSection.tsx';
import { userMessages } from './users-messages.ts';
import { ErrorNote, StatusNote, useLoad } from './ui.tsx';

/** A note to show once on the next page (after creating a user, its page says so). */
const flash = createStore<string | null>(null);

interface Form {
  address: string;
  displayName: string;
  nameReading: string;
  title: string;
  phone: string;
  unit: string;
  quota: string;
  validFrom: string;
  validUntil: string;
  isAdmin: boolean;
  password: string;
}

function formOf(user: ApiUser | null): Form {
  return {
    address: user?.address ?? '',
    displayName: user?.displayName ?? '',
    nameReading: user?.nameReading ?? '',
    title: user?.title ?? '',
    phone: user?.phone ?? '',
    unit: user?.unit ?? '',
    quota: formatQuota(user?.quotaBytes ?? null),
    validFrom: toDateInput(user?.validFrom ?? null),
    validUntil: toDateInput(user?.validUntil ?? null),
    isAdmin: user?.isAdmin ?? false,
    password: '',
  };
}

/** The fields that differ from `before`, as the API takes them; null when the quota is malformed. */
function changes(form: Form, before: Form): UserFields | null {
  const quota = parseQuota(form.quota);
  if (!quota.ok) return null;
  const fields: UserFields = {};
  if (form.displayName !== before.displayName) fields.displayName = form.displayName.trim();
  if (form.nameReading !== before.nameReading) fields.nameReading = form.nameReading;
  if (form.title !== before.title) fields.title = form.title;
  if (form.phone !== before.phone) fields.phone = form.phone;
  if (form.unit !== before.unit) fields.unit = form.unit === '' ? null : form.unit;
  if (form.quota.trim() !== before.quota) fields.quotaBytes = quota.bytes;
  if (form.validFrom !== before.validFrom) fields.validFrom = form.validFrom || null;
  if (form.validUntil !== before.validUntil) fields.validUntil = form.validUntil || null;
  if (form.isAdmin !== before.isAdmin) fields.isAdmin = form.isAdmin;
  return fields;
}

/** `#/admin/users/new` (address === null) and `#/admin/users/<address>`. */
export function UserEditor({ address, self }: { address: string | null; self: string }) {
  const t = useT(userMessages);
  const units = useLoad(orgTree, 'units');
  const loaded = useLoad(() => (address === null ? Promise.resolve(null) : getUser(address)), address ?? '');
  const user = loaded.data ?? null;
  const ready = address === null || user !== null;

  return (
    <section className="admin-section" aria-labelledby="user-title">
      <p>
        <a href={href('admin', 'users')}>← {t('backToList')}</a>
      </p>
      <header className="admin-head">
        <h2 id="user-title">{user ? t('editTitle', { name: user.displayName }) : t('createTitle')}</h2>
        {user && <UserBadges user={user} self={self} />}
      </header>
      {user && <p className="muted">{user.address}</p>}
      <ErrorNote error={loaded.error} />
      {ready && (
        <UserForm
          key={user?.updatedAt ?? 'new'}
          user={user}
          unitPaths={allPaths(units.data ?? [])}
          onSaved={loaded.reload}
        />
      )}
      {user && <AccountPanel user={user} self={self} onChanged={loaded.reload} />}
    </section>
  );
}

function UserForm({
  user,
  unitPaths,
  onSaved,
}: {
  user: ApiUser | null;
  unitPaths: string[];
  onSaved: () => void;
}) {
  const t = useT(userMessages);
  const initial = formOf(user);
  const [form, setForm] = useState<Form>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ta = useT(adminMessages);
  const note = useStore(flash);
  const [status, setStatus] = useState<string | null>(note);
  // The note is for this page only.
  useEffect(() => {
    flash.set(null);
  }, []);
  const set = <K extends keyof Form>(key: K, value: Form[K]) =>
    setForm((current) => ({ ...current, [key]: value }));
  const quotaBad = !parseQuota(form.quota).ok;
  const units = form.unit && !unitPaths.includes(form.unit) ? [form.unit, ...unitPaths] : unitPaths;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fields = changes(form, user ? initial : formOf(null));
    if (fields === null || busy) return;
    setBusy(true);
    setError(null);
    setStatus(null);
    flash.set(null);
    try {
      if (user === null) {
        const created = await createUser({
          ...fields,
          address: form.address.trim(),
          displayName: form.displayName.trim(),
          ...(form.password ? { password: form.password } : {}),
        });
        flash.set(t('created', { address: created.address }));
        navigate('admin', 'users', created.address);
        return;
      }
      if (Object.keys(fields).length === 0) {
        setStatus(t('nothingChanged'));
      } else {
        await updateUser(user.address, fields);
        flash.set(ta('saved'));
        onSaved();
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const text = (key: 'displayName' | 'nameReading' | 'title' | 'phone', label: string, required = false) => (
    <label>
      {label}
      <input
        type="text"
        name={key}
        required={required}
        maxLength={200}
        value={form[key]}
        onChange={(event) => set(key, event.target.value)}
      />
    </label>
  );

  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)} aria-labelledby="user-title">
      <div className="form-grid">
        {user === null && (
          <label>
            {t('fieldAddress')}
            <input
              type="email"
              name="address"
              required
              autoComplete="off"
              spellCheck={false}
              value={form.address}
              onChange={(event) => set('address', event.target.value)}
            />
          </label>
        )}
        {text('displayName', t('fieldName'), true)}
        {text('nameReading', t('fieldReading'))}
        {text('title', t('fieldTitle'))}
        {text('phone', t('fieldPhone'))}
        <label>
          {t('fieldUnit')}
          <select name="unit" value={form.unit} onChange={(event) => set('unit', event.target.value)}>
            <option value="">{t('noUnit')}</option>
            {units.map((path) => (
              <option key={path} value={path}>
                {path}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('fieldQuota')}
          <input
            type="text"
            name="quota"
            value={form.quota}
            aria-invalid={quotaBad || undefined}
            aria-describedby="quota-hint"
            onChange={(event) => set('quota', event.target.value)}
          />
          <span id="quota-hint" className={quotaBad ? 'form-error small' : 'muted small'}>
            {quotaBad ? t('quotaInvalid') : t('quotaHint')}
          </span>
        </label>
        <label>
          {t('fieldValidFrom')}
          <input
            type="date"
            name="validFrom"
            value={form.validFrom}
            aria-describedby="validity-hint"
            onChange={(event) => set('validFrom', event.target.value)}
          />
        </label>
        <label>
          {t('fieldValidUntil')}
          <input
            type="date"
            name="validUntil"
            value={form.validUntil}
            aria-describedby="validity-hint"
            onChange={(event) => set('validUntil', event.target.value)}
          />
          <span id="validity-hint" className="muted small">
            {t('validityHint')}
          </span>
        </label>
        {user === null && (
          <label>
            {t('fieldPassword')}
            <input
              type="password"
              name="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(event) => set('password', event.target.value)}
            />
            <span className="muted small">{t('passwordHint')}</span>
          </label>
        )}
        <label className="checkbox">
          <input
            type="checkbox"
            name="isAdmin"
            checked={form.isAdmin}
            onChange={(event) => set('isAdmin', event.target.checked)}
          />
          <span>
            {t('fieldAdmin')} <span className="muted small">— {t('adminHint')}</span>
          </span>
        </label>
      </div>
      <ErrorNote error={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || quotaBad}>
          {user === null ? (busy ? t('creating') : t('create')) : t('saveChanges')}
        </button>
        <StatusNote text={status} />
      </div>
    </form>
  );
}
