import type { ReactNode } from 'react';
import { useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import './admin.css';
import './admin-sections.css';
import './admin-directory.css';
import { AuditSection } from './AuditSection.tsx';
import { DashboardSection } from './DashboardSection.tsx';
import { GroupsSection } from './GroupsSection.tsx';
import { MailSection } from './MailSection.tsx';
import { adminMessages } from './messages.ts';
import { OrgSection } from './OrgSection.tsx';
import { RulesSection } from './RulesSection.tsx';
import { SettingsSection } from './SettingsSection.tsx';
import { UsersSection } from './UsersSection.tsx';

const SECTIONS = ['dashboard', 'org', 'users', 'groups', 'rules', 'mail', 'settings', 'audit'] as const;
type Section = (typeof SECTIONS)[number];

const ICONS: Record<Section, string> = {
  dashboard: '📊',
  org: '🏢',
  users: '👤',
  groups: '👥',
  rules: '🔒',
  mail: '✉️',
  settings: '⚙️',
  audit: '📜',
};

function isSection(value: string | undefined): value is Section {
  return (SECTIONS as readonly string[]).includes(value ?? '');
}

/**
 * The administration console, `#/admin/<section>[/...]`: a side menu (a
 * scrolling tab bar on a phone) and the section. Only administrators get
 * here (the shell checks), and the server checks every call again.
 */
export function AdminPage({ session, route }: { session: Session; route: string[] }) {
  const t = useT(adminMessages);
  const section: Section = isSection(route[0]) ? route[0] : 'dashboard';
  const rest = route.slice(1);
  const labels: Record<Section, string> = {
    dashboard: t('navDashboard'),
    org: t('navOrg'),
    users: t('navUsers'),
    groups: t('navGroups'),
    rules: t('navRules'),
    mail: t('navMail'),
    settings: t('navSettings'),
    audit: t('navAudit'),
  };

  let content: ReactNode;
  switch (section) {
    case 'dashboard':
      content = <DashboardSection />;
      break;
    case 'org':
      content = <OrgSection route={rest} />;
      break;
    case 'users':
      content = <UsersSection session={session} route={rest} />;
      break;
    case 'groups':
      content = <GroupsSection route={rest} />;
      break;
    case 'rules':
      content = <RulesSection />;
      break;
    case 'mail':
      content = <MailSection />;
      break;
    case 'settings':
      content = <SettingsSection />;
      break;
    case 'audit':
      content = <AuditSection />;
      break;
    default: {
      const unreachable: never = section;
      content = unreachable;
    }
  }

  return (
    <div className="admin" data-testid="admin">
      <nav className="admin-nav" aria-label={t('sections')}>
        <h1 className="admin-nav-title">{t('title')}</h1>
        <ul>
          {SECTIONS.map((id) => (
            <li key={id}>
              <a href={href('admin', id)} aria-current={id === section ? 'page' : undefined}>
                <span aria-hidden="true">{ICONS[id]}</span> {labels[id]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-content" key={section}>
        {content}
      </div>
    </div>
  );
}
