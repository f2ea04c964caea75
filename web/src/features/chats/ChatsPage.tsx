import type { Session } from '../../lib/session.ts';

export function ChatsPage({ session, route }: { session: Session; route: string[] }) {
  return <section aria-label="ChatsPage" data-user={session.user.address} data-route={route.join('/')} />;
}
