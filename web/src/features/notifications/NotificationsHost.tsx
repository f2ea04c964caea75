import type { Session } from '../../lib/session.ts';

export function NotificationsHost({ session }: { session: Session }) {
  return <div className="notifications-host" data-user={session.user.address} />;
}
