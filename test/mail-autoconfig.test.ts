import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { initDataDir } from '../src/init.ts';
import { createLogger } from '../src/log.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { offlineResolver, PASSWORD } from './support/mail-world.ts';

/** Parses with python3's own parsers (xml.etree, plistlib): the documents must be what real parsers read. */
const PARSER = String.raw`
import json, plistlib, sys
import xml.etree.ElementTree as ET
data = sys.stdin.buffer.read()
def tree(e):
    return {'tag': e.tag.split('}')[-1], 'ns': e.tag[1:].split('}')[0] if e.tag.startswith('{') else '',
            'attrib': e.attrib, 'text': (e.text or '').strip(), 'children': [tree(c) for c in e]}
print(json.dumps(plistlib.loads(data) if sys.argv[1] == 'plist' else tree(ET.fromstring(data))))
`;

interface XmlNode {
  tag: string;
  ns: string;
  attrib: Record<string, string>;
  text: string;
  children: XmlNode[];
}

async function parse<T>(kind: 'xml' | 'plist', text: string): Promise<T> {
  const run = promisify(execFile)('python3', ['-c', PARSER, kind], { encoding: 'utf8' });
  run.child.stdin?.end(text);
  return JSON.parse((await run).stdout) as T;
}

const all = (node: XmlNode, tag: string): XmlNode[] => [
  ...node.children.filter((c) => c.tag === tag),
  ...node.children.flatMap((c) => all(c, tag)),
];
const textOf = (node: XmlNode, tag: string) => all(node, tag)[0]?.text;

describe('mail app autoconfiguration on the http listener', () => {
  let root: string;
  let server: RunningServer;
  let agent: Agent;
  let base: string;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'coo-autoconfig-'));
    const dataDir = path.join(root, 'data');
    await initDataDir({
      dataDir,
      domain: 'example.com',
      admin: 'admin@example.com',
      password: PASSWORD,
      hostname: 'mail.example.com',
      listen: ['http', 'submission', 'submissions', 'pop3', 'pop3s']
        .map((name) => `${name}=127.0.0.1:0`)
        .concat(['smtp=off', 'imap=off', 'imaps=off']),
    });
    server = await startServer({
      dataDir,
      logger: createLogger('silent'),
      mail: { resolver: offlineResolver },
    });
    await server.services.directory.domains.add('example.net', CLI_ACTOR, { aliasOf: 'example.com' });
    agent = new Agent({
      connect: { ca: readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8'), servername: 'localhost' },
    });
    base = `https://127.0.0.1:${server.address('http')?.port}`;
  });
  after(async () => {
    await agent.close();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = async (url: string) => {
    const response = await request(`${base}${url}`, { dispatcher: agent });
    return {
      status: response.statusCode,
      type: String(response.headers['content-type']),
      text: await response.body.text(),
    };
  };
  const post = async (url: string, body: string, contentType = 'text/xml') => {
    const response = await request(`${base}${url}`, {
      dispatcher: agent,
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    return {
      status: response.statusCode,
      type: String(response.headers['content-type']),
      text: await response.body.text(),
    };
  };
  const port = (name: 'submission' | 'submissions' | 'pop3' | 'pop3s') => String(server.address(name)?.port);

  test('Thunderbird autoconfig names the host and the ports of the running listeners, on both paths', async () => {
    for (const url of [
      '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=taro%40example.com',
      '/mail/config-v1.1.xml?emailaddress=taro%40example.com',
    ]) {
      const answer = await get(url);
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.type, /^application\/xml/);
      const config = await parse<XmlNode>('xml', answer.text);
      assert.equal(config.tag, 'clientConfig');
      assert.equal(config.attrib.version, '1.1');
      assert.equal(textOf(config, 'domain'), 'example.com');
      const servers = (tag: string) =>
        all(config, tag).map((s) => [
          s.attrib.type,
          textOf(s, 'hostname'),
          textOf(s, 'port'),
          textOf(s, 'socketType'),
        ]);
      assert.deepEqual(servers('incomingServer'), [
        ['pop3', 'mail.example.com', port('pop3s'), 'SSL'],
        ['pop3', 'mail.example.com', port('pop3'), 'STARTTLS'],
      ]);
      assert.deepEqual(servers('outgoingServer'), [
        ['smtp', 'mail.example.com', port('submissions'), 'SSL'],
        ['smtp', 'mail.example.com', port('submission'), 'STARTTLS'],
      ]);
      assert.ok(all(config, 'username').every((u) => u.text === '%EMAILADDRESS%'));
    }
    const aliasDomain = await parse<XmlNode>(
      'xml',
      (await get('/mail/config-v1.1.xml?emailaddress=taro@example.net')).text,
    );
    assert.equal(textOf(aliasDomain, 'domain'), 'example.net');
  });

  test('Outlook autodiscover answers the POX request on both paths with the account settings', async () => {
    const body = [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">',
      '<Request><EMailAddress>taro@example.com</EMailAddress>',
      '<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>',
      '</Request></Autodiscover>',
    ].join('');
    for (const url of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml']) {
      const answer = await post(url, body);
      assert.equal(answer.status, 200, answer.text);
      const document = await parse<XmlNode>('xml', answer.text);
      assert.equal(document.tag, 'Autodiscover');
      assert.equal(
        all(document, 'Response')[0]?.ns,
        'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a',
      );
      const protocols = all(document, 'Protocol').map((p) => [
        textOf(p, 'Type'),
        textOf(p, 'Server'),
        textOf(p, 'Port'),
        textOf(p, 'Encryption'),
        textOf(p, 'LoginName'),
      ]);
      assert.deepEqual(protocols, [
        ['POP3', 'mail.example.com', port('pop3s'), 'SSL', 'taro@example.com'],
        ['SMTP', 'mail.example.com', port('submissions'), 'SSL', 'taro@example.com'],
      ]);
    }
  });

  test('the Apple configuration profile is a property list with the POP3 and SMTP account of the address', async () => {
    const answer = await get('/apple/mail.mobileconfig?email=taro%40example.com');
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.type, /^application\/x-apple-aspen-config/);
    const profile = await parse<Record<string, unknown>>('plist', answer.text);
    assert.equal(profile.PayloadType, 'Configuration');
    assert.equal(profile.PayloadVersion, 1);
    const [account] = profile.PayloadContent as Record<string, unknown>[];
    assert.ok(account);
    assert.equal(account.PayloadType, 'com.apple.mail.managed');
    assert.equal(account.EmailAccountType, 'EmailTypePOP');
    assert.equal(account.EmailAddress, 'taro@example.com');
    assert.equal(account.IncomingMailServerHostName, 'mail.example.com');
    assert.equal(account.IncomingMailServerPortNumber, Number(port('pop3s')));
    assert.equal(account.IncomingMailServerUseSSL, true);
    assert.equal(account.IncomingMailServerUsername, 'taro@example.com');
    assert.equal(account.OutgoingMailServerPortNumber, Number(port('submissions')));
    assert.equal(account.OutgoingMailServerUseSSL, true);
    assert.match(
      String(account.PayloadUUID),
      /^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/,
    );
    const again = await parse<Record<string, unknown>>(
      'plist',
      (await get('/apple/mail.mobileconfig?email=taro@example.com')).text,
    );
    assert.equal(again.PayloadUUID, profile.PayloadUUID, 'the same address gets the same profile');
  });

  test('the address is checked: malformed is 400, another domain 404, missing 400; XML is the only body autodiscover takes', async () => {
    const bad = await get('/apple/mail.mobileconfig?email=not-an-address');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.text).error.code, 'INVALID_ADDRESS');
    const injected = await get(`/apple/mail.mobileconfig?email=${encodeURIComponent('a<b>@example.com')}`);
    assert.equal(injected.status, 400);
    const foreign = await get('/mail/config-v1.1.xml?emailaddress=taro%40elsewhere.test');
    assert.equal(foreign.status, 404);
    assert.equal(JSON.parse(foreign.text).error.code, 'NOT_FOUND');
    assert.equal((await get('/apple/mail.mobileconfig')).status, 400);
    assert.equal((await post('/autodiscover/autodiscover.xml', '<Autodiscover/>')).status, 400);
    assert.equal(
      (await post('/autodiscover/autodiscover.xml', '{"email":"taro@example.com"}', 'application/json'))
        .status,
      400,
    );
    assert.equal((await post('/autodiscover/autodiscover.xml', 'x', 'text/plain')).status, 415);
  });
});
