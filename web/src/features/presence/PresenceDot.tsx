import { useCallback } from 'react';
import type { PresenceState } from '../../../../src/protocol/im/frames.ts';
import { useT } from '../../lib/i18n.ts';
import type { Session } from '../../lib/session.ts';
import { presenceMessages } from './messages.ts';
import { usePresence } from './presence-store.ts';

/**
 * The coloured presence dot (`.presence-dot[data-state]` in styles.css),
 * labelled for screen readers with the state's name ("Online", "会議中")
 * and, as a tooltip, the status text. Either live for a person
 * (`session` + `userId`, who should be watched with useWatchPresence) or
 * for a given state.
 */
export type PresenceDotProps = { className?: string } & (
  | { session: Session; userId: number; state?: undefined }
  | { state: PresenceState; text?: string; session?: undefined }
);

export function PresenceDot(props: PresenceDotProps) {
  if (props.session) return <LiveDot {...props} />;
  return <Dot state={props.state} text={props.text ?? ''} className={props.className} />;
}

function LiveDot({ session, userId, className }: { session: Session; userId: number; className?: string }) {
  const presence = usePresence(session, userId);
  return <Dot state={presence.state} text={presence.text} className={className} />;
}

function Dot({
  state,
  text,
  className,
}: {
  state: PresenceState;
  text: string;
  className?: string | undefined;
}) {
  const label = usePresenceLabel()(state);
  return (
    <span
      className={className ? `presence-dot ${className}` : 'presence-dot'}
      data-state={state}
      role="img"
      aria-label={label}
      title={text ? `${label} — ${text}` : label}
    />
  );
}

/** The name of a state in the user's language: `online` → "Online" / "オンライン". */
export function usePresenceLabel(): (state: PresenceState) => string {
  const t = useT(presenceMessages);
  return useCallback((state: PresenceState) => t(state), [t]);
}
