import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../../lib/api.ts';
import { useT } from '../../lib/i18n.ts';
import { adminMessages } from './messages.ts';

/** Small building blocks the console's sections share. */

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `key` changes (and on reload()); keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [round, setRound] = useState(0);
  const wanted = `${round}:${key}`;
  const [state, setState] = useState<{ data: T | undefined; error: unknown; doneFor: string | null }>({
    data: undefined,
    error: null,
    doneFor: null,
  });
  const latest = useRef(load);
  useEffect(() => {
    latest.current = load;
  });
  useEffect(() => {
    let live = true;
    latest.current().then(
      (data) => {
        if (live) setState({ data, error: null, doneFor: wanted });
      },
      (error: unknown) => {
        if (live) setState((current) => ({ data: current.data, error, doneFor: wanted }));
      },
    );
    return () => {
      live = false;
    };
  }, [wanted]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.doneFor !== wanted, reload };
}

/** Runs one change: its message becomes the status line, its failure the error. Resolves to whether it worked. */
export type RunAction = (work: () => Promise<string>) => Promise<boolean>;

/** A section's changes and how they report, under its heading. */
export interface AdminAction {
  run: RunAction;
  /** Reports a change made without `run` (a dialog that shows its own errors). */
  done: (message: string) => void;
  status: string | null;
  error: unknown;
}

/** Changes reported in one status line; `onDone` runs after each, failed or not, so what shows reloads. */
export function useAdminAction(onDone: () => void): AdminAction {
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const latest = useRef(onDone);
  useEffect(() => {
    latest.current = onDone;
  });
  const run = useCallback<RunAction>(async (work) => {
    setError(null);
    setStatus(null);
    try {
      setStatus(await work());
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      latest.current();
    }
  }, []);
  const done = useCallback((message: string) => {
    setError(null);
    setStatus(message);
    latest.current();
  }, []);
  return { run, done, status, error };
}

/** The server's message for an API error (it names the field or line), else a generic one. */
export function useErrorText(): (error: unknown) => string {
  const t = useT(adminMessages);
  return useCallback(
    (error: unknown) => {
      if (error instanceof ApiError) {
        if (error.status === 0) return t('errorNetwork');
        if (error.status === 403) return t('errorForbidden');
        return error.message;
      }
      return error instanceof Error ? error.message : String(error);
    },
    [t],
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  const text = useErrorText();
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {text(error)}
    </p>
  );
}

/** The search box of a list's toolbar; `label` names it for screen readers. */
export function SearchField({
  label,
  placeholder,
  value,
  onChange,
}: {
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label className="search-field">
      <span className="visually-hidden">{label}</span>
      <input
        type="search"
        value={value}
        placeholder={placeholder}
        aria-label={label}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  );
}

/** A polite live region: "Saved", "Password changed". */
export function StatusNote({ text }: { text: string | null }) {
  return (
    <p className="admin-status" role="status" aria-live="polite">
      {text}
    </p>
  );
}

/** A modal dialog (the browser's <dialog>: focus stays inside, Escape closes). */
export function Modal({
  title,
  open,
  onClose,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="admin-modal" aria-labelledby={titleId} onClose={onClose}>
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

/** The foot of a dialog that confirms a destructive action: its refusal, the action, and Cancel (focused). */
export function DialogConfirm({
  label,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  label: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const t = useT(adminMessages);
  return (
    <>
      <ErrorNote error={error} />
      <div className="form-actions">
        <button type="button" className="danger-solid" disabled={busy} onClick={onConfirm}>
          {label}
        </button>
        <button type="button" autoFocus onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </>
  );
}

/** A destructive action asks once more in place, instead of a browser confirm(). */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  disabled,
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const t = useT(adminMessages);
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm-inline" role="group" aria-label={confirmLabel}>
      <button
        type="button"
        className="danger-solid"
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {t('cancel')}
      </button>
    </span>
  );
}

/** Saves a Blob under a file name through a temporary link. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "2026-11-22" in local time, for file names. */
export function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
