import type { Session } from '../../lib/session.ts';

export function MemosPage({ session, route }: { session: Session; route: string[] }) {
  return <section aria-label="MemosPage" data-user={session.user.address} data-route={route.join('/')} />;
}
