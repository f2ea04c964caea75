import type { Session } from '../../lib/session.ts';

export function OrgPage({ session, route }: { session: Session; route: string[] }) {
  return <section aria-label="OrgPage" data-user={session.user.address} data-route={route.join('/')} />;
}
