import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { initials } from '../../lib/initials.ts';
import { useT } from '../../lib/i18n.ts';
import { href, navigate } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { notificationMessages } from './messages.ts';
import { deliveryOf, withNotice, withoutShown, type Notice, type Toast } from './notification-rules.ts';
import { watchNotices } from './notice-source.ts';
import './notifications.css';
import { PermissionPrompt, usePermissionPrompt } from './PermissionPrompt.tsx';
import { notificationPermission, subscribeToPush, unsubscribeFromPush } from './push-subscription.ts';
import { serviceWorkerRegistration } from './service-worker.ts';

type Translate = (
  key: keyof typeof notificationMessages.en,
  vars?: Record<string, string | number>,
) => string;

/** A toast stays this long while the tab is visible and the pointer or focus is not on it. */
const TOAST_MS = 8000;

/**
 * New direct messages, mentions and memos from others: an in-app toast
 * while the user is elsewhere in the app, a system notification while the
 * tab is hidden (when allowed), nothing for what is on screen. Also offers,
 * once, to turn notifications on, and keeps this device's Web Push
 * subscription up to date.
 */
export function NotificationsHost({ session }: { session: Session }) {
  const t = useT(notificationMessages);
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  const prompt = usePermissionPrompt(session.connection);
  const latest = useRef({ t, offer: prompt.offer });
  useEffect(() => {
    latest.current = { t, offer: prompt.offer };
  });

  useEffect(() => {
    return watchNotices(session.connection, session.user.id, (notice: Notice) => {
      const delivery = deliveryOf(notice, {
        hash: window.location.hash,
        visible: document.visibilityState === 'visible',
        permission: notificationPermission(),
      });
      if (delivery === 'none') return;
      if (delivery === 'system') {
        void showSystemNotification(notice, latest.current.t);
        return;
      }
      setToasts((current) => withNotice(current, notice));
      latest.current.offer();
    });
  }, [session.connection, session.user.id]);

  useEffect(() => {
    if (notificationPermission() === 'granted') void subscribeToPush(session.connection);
    const status = session.connection.status;
    return status.subscribe(() => {
      const now = status.get();
      if (now.kind === 'ended' && now.reason === 'signed-out') void unsubscribeFromPush();
    });
  }, [session.connection]);

  // What the user opens needs no toast any more.
  useEffect(() => {
    const onRoute = () => setToasts((current) => withoutShown(current, window.location.hash));
    window.addEventListener('hashchange', onRoute);
    return () => window.removeEventListener('hashchange', onRoute);
  }, []);

  const dismiss = useCallback((key: string) => {
    setToasts((current) => current.filter((toast) => toast.key !== key));
  }, []);

  return (
    <section className="notifications" aria-label={t('region')}>
      <ul className="toasts" aria-live="polite" aria-relevant="additions text">
        {toasts.map((toast) => (
          <ToastItem key={toast.key} toast={toast} t={t} onDismiss={dismiss} />
        ))}
      </ul>
      <PermissionPrompt prompt={prompt} />
    </section>
  );
}

function subscribeVisibility(listener: () => void): () => void {
  document.addEventListener('visibilitychange', listener);
  return () => document.removeEventListener('visibilitychange', listener);
}

function ToastItem({
  toast,
  t,
  onDismiss,
}: {
  toast: Toast;
  t: Translate;
  onDismiss: (key: string) => void;
}) {
  const visible = useSyncExternalStore(subscribeVisibility, () => document.visibilityState === 'visible');
  const [held, setHeld] = useState(false);
  const { key, version } = toast;

  useEffect(() => {
    if (!visible || held) return;
    const timer = setTimeout(() => onDismiss(key), TOAST_MS);
    return () => clearTimeout(timer);
  }, [visible, held, key, version, onDismiss]);

  const { title, body } = textOf(toast, t);
  return (
    <li
      className="toast"
      data-testid="notification-toast"
      data-kind={toast.kind}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onDismiss(key);
      }}
    >
      <a
        className="toast-open"
        href={href(...toast.route)}
        onClick={(event) => {
          event.preventDefault();
          onDismiss(key);
          navigate(...toast.route);
        }}
      >
        <span className="avatar" aria-hidden="true">
          {toast.kind === 'memo' ? '📝' : initials(toast.senderName || '?')}
        </span>
        <span className="toast-text">
          <strong className="toast-title">{title}</strong>
          {body && <span className="toast-body">{body}</span>}
          {toast.count > 1 && <span className="toast-more">{t('more', { count: toast.count - 1 })}</span>}
        </span>
      </a>
      <button type="button" className="toast-close" aria-label={t('dismiss')} onClick={() => onDismiss(key)}>
        <span aria-hidden="true">×</span>
      </button>
    </li>
  );
}

function textOf(notice: Notice, t: Translate): { title: string; body: string } {
  const name = notice.senderName || t('someone');
  const text = notice.preview || (notice.files > 0 ? t('files', { count: notice.files }) : '');
  switch (notice.kind) {
    case 'message':
      return { title: name, body: text };
    case 'mention':
      return {
        title: notice.where ? t('mentionIn', { name, where: notice.where }) : t('mention', { name }),
        body: text,
      };
    case 'memo':
      return { title: t('memo', { name }), body: notice.where ? `${notice.where} — ${text}` : text };
    default: {
      const never: never = notice.kind;
      return never;
    }
  }
}

/** Through the service worker where there is one (Android allows no other way), else the page's own. */
async function showSystemNotification(notice: Notice, t: Translate): Promise<void> {
  const { title, body } = textOf(notice, t);
  const options: NotificationOptions = {
    body,
    tag: notice.key,
    icon: '/icons/icon-192.png',
    badge: '/icons/badge-96.png',
    data: { url: `/${href(...notice.route)}` },
  };
  try {
    const registration = await serviceWorkerRegistration();
    if (registration) {
      await registration.showNotification(title, options);
      return;
    }
    const notification = new Notification(title, options);
    notification.onclick = () => {
      window.focus();
      navigate(...notice.route);
      notification.close();
    };
  } catch (error) {
    console.warn('the notification could not be shown', error);
  }
}
