import type { Session } from '../../lib/session.ts';

export function AdminPage({ session, route }: { session: Session; route: string[] }) {
  return <section aria-label="AdminPage" data-user={session.user.address} data-route={route.join('/')} />;
}
