import { useState } from 'react';
import type { ApiDomain } from '../../../../src/protocol/admin-api.ts';
import { useT } from '../../lib/i18n.ts';
import { listDomains, removeDomain, setDefaultDomain } from './admin-api.ts';
import { DomainForm } from './DomainForm.tsx';
import { domainMessages } from './domain-messages.ts';
import { aliasesOf, dnsHeadingId, orderDomains } from './domain-model.ts';
import {
  DialogConfirm,
  ErrorNote,
  Modal,
  StatusNote,
  useAdminAction,
  useLoad,
  type RunAction,
} from './ui.tsx';

/**
 * The mail domains (`coo domain`): list, add, alias, default, remove.
 * `version` is bumped after every change (through `onChanged`), so this list
 * and the DNS records view below reload together.
 */
export function DomainsPanel({ version, onChanged }: { version: number; onChanged: () => void }) {
  const t = useT(domainMessages);
  const domains = useLoad(listDomains, `domains-${version}`);
  const { run, done, status, error } = useAdminAction(onChanged);
  const [removing, setRemoving] = useState<ApiDomain | null>(null);
  const all = domains.data ?? [];

  return (
    <section className="admin-panel" aria-labelledby="domains-title" data-testid="mail-domains">
      <h3 id="domains-title">{t('title')}</h3>
      <p className="muted small">{t('help')}</p>
      <ErrorNote error={domains.error ?? error} />
      <StatusNote text={status} />
      <div className="table-scroll">
        <table className="admin-table compact domain-table" aria-busy={domains.loading}>
          <thead>
            <tr>
              <th scope="col">{t('colDomain')}</th>
              <th scope="col">{t('colKind')}</th>
              <th scope="col" className="hide-narrow">
                {t('colDkim')}
              </th>
              <th scope="col">{t('colActions')}</th>
            </tr>
          </thead>
          <tbody>
            {orderDomains(all).map((domain) => (
              <DomainRow key={domain.name} domain={domain} run={run} onRemove={() => setRemoving(domain)} />
            ))}
          </tbody>
        </table>
      </div>
      <DomainForm domains={all} run={run} />
      <RemoveDialog
        domain={removing}
        domains={all}
        onClose={() => setRemoving(null)}
        onRemoved={(name) => {
          setRemoving(null);
          done(t('removed', { domain: name }));
        }}
      />
    </section>
  );
}

function DomainRow({ domain, run, onRemove }: { domain: ApiDomain; run: RunAction; onRemove: () => void }) {
  const t = useT(domainMessages);
  const vars = { domain: domain.name };
  return (
    <tr data-domain={domain.name}>
      <td className="wrap">
        <strong>{domain.name}</strong>
      </td>
      <td>
        <span className="badges">
          {domain.isDefault && (
            <span className="badge" data-tone="accent">
              {t('badgeDefault')}
            </span>
          )}
          {domain.aliasOf === null ? (
            <span className="badge">{t('badgeMain')}</span>
          ) : (
            <span className="badge" data-tone="muted">
              {t('badgeAlias', { domain: domain.aliasOf })}
            </span>
          )}
        </span>
      </td>
      <td className="hide-narrow small">
        {domain.dkimSelector ? (
          <code>{domain.dkimSelector}</code>
        ) : (
          <span className="muted">{t('noDkim', { domain: domain.aliasOf ?? '' })}</span>
        )}
      </td>
      <td>
        <span className="row-actions">
          <button type="button" aria-label={t('showDnsOf', vars)} onClick={() => showDns(domain.name)}>
            {t('showDns')}
          </button>
          {domain.aliasOf === null && !domain.isDefault && (
            <button
              type="button"
              aria-label={t('makeDefaultOf', vars)}
              onClick={() => void run(() => setDefaultDomain(domain.name).then(() => t('defaultSet', vars)))}
            >
              {t('makeDefault')}
            </button>
          )}
          <button type="button" className="danger" aria-label={t('removeOf', vars)} onClick={onRemove}>
            {t('remove')}
          </button>
        </span>
      </td>
    </tr>
  );
}

/** Takes the reader (and the keyboard focus) to the domain's records in the DNS view below. */
function showDns(domain: string): void {
  const heading = document.getElementById(dnsHeadingId(domain));
  if (!heading) return;
  heading.scrollIntoView({ block: 'start', behavior: 'smooth' });
  heading.focus({ preventScroll: true });
}

/** Says what removing does before it is done; the server's refusal (users left, the default) shows here. */
function RemoveDialog({
  domain,
  domains,
  onClose,
  onRemoved,
}: {
  domain: ApiDomain | null;
  domains: ApiDomain[];
  onClose: () => void;
  onRemoved: (name: string) => void;
}) {
  const t = useT(domainMessages);
  return (
    <Modal
      title={domain ? t('removeTitle', { domain: domain.name }) : ''}
      open={domain !== null}
      onClose={onClose}
    >
      {domain && (
        <RemoveForm
          key={domain.name}
          domain={domain}
          domains={domains}
          onClose={onClose}
          onRemoved={onRemoved}
        />
      )}
    </Modal>
  );
}

function RemoveForm({
  domain,
  domains,
  onClose,
  onRemoved,
}: {
  domain: ApiDomain;
  domains: ApiDomain[];
  onClose: () => void;
  onRemoved: (name: string) => void;
}) {
  const t = useT(domainMessages);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const aliases = aliasesOf(domains, domain.name).map((alias) => alias.name);

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await removeDomain(domain.name);
      onRemoved(domain.name);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="admin-form" data-testid="remove-domain">
      {domain.aliasOf === null ? (
        <>
          <p>{t('removeMain', { domain: domain.name })}</p>
          {aliases.length > 0 && <p>{t('removeAliases', { aliases: aliases.join(', ') })}</p>}
          {domain.isDefault && <p className="warn-note">{t('removeDefault')}</p>}
        </>
      ) : (
        <p>{t('removeAlias', { domain: domain.name, main: domain.aliasOf })}</p>
      )}
      <DialogConfirm
        label={t('removeConfirm')}
        busy={busy}
        error={error}
        onConfirm={() => void remove()}
        onCancel={onClose}
      />
    </div>
  );
}
