import { useCallback, useEffect, useState } from 'react';
import type { Connection } from '../../lib/connection.ts';
import { useT } from '../../lib/i18n.ts';
import { notificationMessages } from './messages.ts';
import { notificationPermission, subscribeToPush } from './push-subscription.ts';

const DISMISSED_KEY = 'coo.notifications.prompt';
/** Asked a little after login, or at the first notice if sooner: never on load, before the user has seen the app. */
const PROMPT_DELAY_MS = 5000;

type PromptState = 'hidden' | 'shown' | 'denied';

export interface PromptControl {
  state: PromptState;
  /** Shows the prompt if notifications can still be asked for and the user has not said no. */
  offer: () => void;
  accept: () => Promise<void>;
  dismiss: () => void;
}

function dismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === 'dismissed';
  } catch {
    return false;
  }
}

function rememberDismissal(): void {
  try {
    localStorage.setItem(DISMISSED_KEY, 'dismissed');
  } catch {
    // Private mode: asked again next time.
  }
}

export function usePermissionPrompt(connection: Connection): PromptControl {
  const [state, setState] = useState<PromptState>('hidden');

  const offer = useCallback(() => {
    // A browser driven by a script cannot answer the question: the card would only cover its page.
    if (navigator.webdriver) return;
    if (notificationPermission() === 'default' && !dismissed()) {
      setState((current) => (current === 'hidden' ? 'shown' : current));
    }
  }, []);

  useEffect(() => {
    const timer = setTimeout(offer, PROMPT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [offer]);

  const accept = useCallback(async () => {
    const answer = await Notification.requestPermission();
    if (answer === 'denied') {
      setState('denied');
      return;
    }
    setState('hidden');
    if (answer === 'granted') await subscribeToPush(connection);
  }, [connection]);

  const dismiss = useCallback(() => {
    rememberDismissal();
    setState('hidden');
  }, []);

  return { state, offer, accept, dismiss };
}

export function PermissionPrompt({ prompt }: { prompt: PromptControl }) {
  const t = useT(notificationMessages);
  if (prompt.state === 'hidden') return null;
  if (prompt.state === 'denied') {
    return (
      <aside className="notify-prompt" data-testid="notification-prompt" aria-label={t('promptTitle')}>
        <p>{t('promptDenied')}</p>
        <div className="notify-prompt-actions">
          <button type="button" onClick={prompt.dismiss}>
            {t('dismiss')}
          </button>
        </div>
      </aside>
    );
  }
  return (
    <aside className="notify-prompt" data-testid="notification-prompt" aria-labelledby="notify-prompt-title">
      <span className="notify-prompt-icon" aria-hidden="true">
        🔔
      </span>
      <div className="notify-prompt-text">
        <strong id="notify-prompt-title">{t('promptTitle')}</strong>
        <p>{t('promptText')}</p>
        <div className="notify-prompt-actions">
          <button type="button" className="primary" onClick={() => void prompt.accept()}>
            {t('promptAccept')}
          </button>
          <button type="button" className="link" onClick={prompt.dismiss}>
            {t('promptDismiss')}
          </button>
        </div>
      </div>
    </aside>
  );
}
