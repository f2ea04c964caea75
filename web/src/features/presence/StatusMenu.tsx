import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import {
  PRESENCE_CHOICES,
  PRESENCE_TEXT_MAX,
  type PresenceChoice,
} from '../../../../src/protocol/im/presence.ts';
import { useT } from '../../lib/i18n.ts';
import type { Session } from '../../lib/session.ts';
import { presenceMessages } from './messages.ts';
import type { Presence } from './presence-registry.ts';
import type { StatusChoice } from './own-status.ts';
import { usePresenceLabel } from './PresenceDot.tsx';
import { useOwnStatus } from './use-own-status.ts';
import './status-menu.css';

/**
 * The user's own presence in the rail: a dot showing their merged state,
 * which opens a small dialog to pick a state (applied at once) and a status
 * text (applied with Save or Enter). Escape or a click outside closes it and
 * gives the focus back to the button.
 */
export function StatusMenu({ session }: { session: Session }) {
  const t = useT(presenceMessages);
  const label = usePresenceLabel();
  const { presence, choose, storedChoice } = useOwnStatus(session);
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const stateLabel = label(presence.state);
  return (
    <div className="status-menu" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="status-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-label={
          presence.text
            ? t('statusButtonText', { state: stateLabel, text: presence.text })
            : t('statusButton', { state: stateLabel })
        }
        title={presence.text ? `${stateLabel} — ${presence.text}` : stateLabel}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="presence-dot" data-state={presence.state} aria-hidden="true" />
      </button>
      {open && (
        <StatusDialog
          presence={presence}
          initial={initialChoice(presence, storedChoice())}
          choose={choose}
          onClose={close}
        />
      )}
    </div>
  );
}

/** What the dialog starts with: this device's choice when it still shows, else the visible state. */
function initialChoice(presence: Presence, stored: StatusChoice | null): StatusChoice {
  if (stored) return stored;
  const state: PresenceChoice =
    presence.state === 'offline' || presence.state === 'away' ? 'online' : presence.state;
  return { state, text: presence.text };
}

function StatusDialog({
  presence,
  initial,
  choose,
  onClose,
}: {
  presence: Presence;
  initial: StatusChoice;
  choose: (choice: StatusChoice) => Promise<Presence>;
  onClose: (returnFocus: boolean) => void;
}) {
  const t = useT(presenceMessages);
  const label = usePresenceLabel();
  const titleId = useId();
  const [state, setState] = useState<PresenceChoice>(initial.state);
  const [text, setText] = useState(initial.text);
  const [failed, setFailed] = useState(false);
  const firstRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    firstRef.current?.focus();
  }, []);

  const apply = async (choice: StatusChoice, closeAfter: boolean) => {
    setFailed(false);
    try {
      await choose(choice);
      if (closeAfter) onClose(true);
    } catch {
      setFailed(true);
    }
  };

  const pick = (next: PresenceChoice) => {
    setState(next);
    void apply({ state: next, text: text.trim() }, false);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void apply({ state, text: text.trim() }, true);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose(true);
    }
  };

  return (
    <div className="status-panel" role="dialog" aria-labelledby={titleId} onKeyDown={onKeyDown}>
      <form onSubmit={submit}>
        <h2 id={titleId} className="status-title">
          <span className="presence-dot" data-state={presence.state} aria-hidden="true" />
          {t('dialogTitle')}
        </h2>
        <fieldset className="status-states">
          <legend>{t('stateLegend')}</legend>
          {PRESENCE_CHOICES.map((choice) => (
            <label key={choice} className="status-option">
              <input
                ref={choice === state ? firstRef : undefined}
                type="radio"
                name="presence-state"
                value={choice}
                checked={choice === state}
                onChange={() => pick(choice)}
              />
              <span className="presence-dot" data-state={choice} aria-hidden="true" />
              <span className="status-option-label">
                {label(choice)}
                {choice === 'online' && <small>{t('onlineHint')}</small>}
              </span>
            </label>
          ))}
        </fieldset>
        <label className="status-text">
          {t('textLabel')}
          <input
            type="text"
            name="status-text"
            maxLength={PRESENCE_TEXT_MAX}
            placeholder={t('textPlaceholder')}
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        </label>
        {failed && (
          <p className="form-error" role="alert">
            {t('saveFailed')}
          </p>
        )}
        <div className="status-actions">
          <button
            type="button"
            disabled={text === ''}
            onClick={() => {
              setText('');
              void apply({ state, text: '' }, false);
            }}
          >
            {t('clearText')}
          </button>
          <button type="submit" className="primary">
            {t('save')}
          </button>
        </div>
      </form>
    </div>
  );
}
