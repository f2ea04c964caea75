import { useEffect, useState } from 'react';
import { LoginScreen } from '../features/login/LoginScreen.tsx';
import { resumeSaved, savedDevice, sessionStore } from '../lib/session.ts';
import { useStore } from '../lib/store.ts';
import { useT } from '../lib/i18n.ts';
import { appMessages } from './messages.ts';
import { Shell } from './Shell.tsx';

/** Logged in: the shell; else the login screen (after trying the remembered device). */
export function App() {
  const session = useStore(sessionStore);
  const [resuming, setResuming] = useState(() => savedDevice() !== null && sessionStore.get() === null);
  const t = useT(appMessages);

  useEffect(() => {
    if (!resuming) return;
    let live = true;
    void resumeSaved().finally(() => {
      if (live) setResuming(false);
    });
    return () => {
      live = false;
    };
  }, [resuming]);

  if (session) return <Shell session={session} />;
  if (resuming) {
    return (
      <div className="splash" role="status" aria-live="polite">
        <div className="splash-logo" aria-hidden="true">
          Coo
        </div>
        <p>{t('connecting')}</p>
      </div>
    );
  }
  return <LoginScreen />;
}
