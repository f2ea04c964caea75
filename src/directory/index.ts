import type { Store } from '../store/database.ts';
import { DomainService } from './domain-service.ts';
import { GroupService } from './group-service.ts';
import { OrgService } from './org-service.ts';
import type { AuditSink } from './types.ts';
import { UserService } from './user-service.ts';

export interface Directory {
  domains: DomainService;
  org: OrgService;
  users: UserService;
  groups: GroupService;
}

export function createDirectory(deps: {
  store: Store;
  audit: AuditSink;
  hashPassword: (password: string) => Promise<string>;
  checkPasswordPolicy: (password: string) => void;
}): Directory {
  const domains = new DomainService(deps.store, deps.audit);
  const org = new OrgService(deps.store, deps.audit);
  const users = new UserService({ ...deps, domains, org });
  const groups = new GroupService(deps.store, deps.audit, users);
  return { domains, org, users, groups };
}
