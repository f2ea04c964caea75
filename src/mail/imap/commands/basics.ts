import { capabilityLine } from '../capabilities.ts';
import { ImapError, ImapErrorId } from '../imap-error.ts';
import { command } from './command.ts';

/** RFC 9051 §6.1.1 */
export const capabilityCommand = command({
  names: ['CAPABILITY'],
  state: 'any',
  async run(session) {
    await session.untagged(`CAPABILITY ${capabilityLine(session)}`);
    return undefined;
  },
});

/** RFC 9051 §6.1.2 NOOP, RFC 3501 §6.4.1 CHECK: the dispatcher's sync reports what changed. */
export const noopCommand = command({
  names: ['NOOP', 'CHECK'],
  state: 'any',
  async run() {
    return undefined;
  },
});

/** RFC 9051 §6.1.3 */
export const logoutCommand = command({
  names: ['LOGOUT'],
  state: 'any',
  async run(session) {
    await session.untagged('BYE logging out');
    session.state = { kind: 'logout' };
    session.end();
    return undefined;
  },
});

/** RFC 2971: the client says who it is (logged); the server answers with its name. */
export const idCommand = command({
  names: ['ID'],
  state: 'any',
  async run(session, _state, { params }) {
    if (params) {
      session.clientId = params
        .filter(([key]) => ['name', 'version', 'os'].includes(key.toLowerCase()))
        .map(([key, value]) => `${key}=${value ?? ''}`)
        .join(' ')
        .slice(0, 200);
      session.log.debug({ client: session.clientId }, 'imap: client id');
    }
    await session.untagged('ID ("name" "Coo" "vendor" "Coo")');
    return undefined;
  },
});

/** RFC 5161 ENABLE: only what the client names and this server has; the answer lists what is now on. */
export const enableCommand = command({
  names: ['ENABLE'],
  state: 'authenticated',
  async run(session, _state, { capabilities }) {
    const enabled: string[] = [];
    for (const capability of capabilities.map((name) => name.toUpperCase())) {
      if (capability === 'CONDSTORE') session.enabled.condstore = true;
      else if (capability === 'QRESYNC') {
        // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
        session.enabled.qresync = true;
        session.enabled.condstore = true;
      } else if (capability === 'UTF8=ACCEPT') session.enabled.utf8 = true;
      else if (capability === 'IMAP4REV2') {
        session.enabled.rev2 = true;
        session.enabled.utf8 = true;
      } else continue;
      enabled.push(capability === 'IMAP4REV2' ? 'IMAP4rev2' : capability);
    }
    await session.untagged(`ENABLED${enabled.map((name) => ` ${name}`).join('')}`);
    return undefined;
  },
});

/** RFC 9051 §6.2.1 */
export const starttlsCommand = command({
  names: ['STARTTLS'],
  state: 'not-authenticated',
  async run(session, _state, _command, tag) {
    if (session.secure) {
      throw new ImapError('BAD', ImapErrorId.TLS_ACTIVE, 'TLS is already active on this connection');
    }
    await session.startTls(tag);
    return undefined;
  },
});
