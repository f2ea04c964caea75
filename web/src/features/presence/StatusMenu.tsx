import type { Session } from '../../lib/session.ts';

export function StatusMenu({ session }: { session: Session }) {
  return <div className="status-menu" data-user={session.user.address} />;
}
