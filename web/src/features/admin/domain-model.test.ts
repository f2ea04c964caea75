/// <reference types="node" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiDomain } from '../../../../src/protocol/admin-api.ts';
import { aliasesOf, checkDomainName, orderDomains } from './domain-model.ts';

function domain(name: string, aliasOf: string | null = null, isDefault = false): ApiDomain {
  return { name, aliasOf, isDefault, dkimSelector: aliasOf === null ? 'coo1' : null };
}

describe('the domain name check of the domains screen', () => {
  test('a DNS name is accepted in lower case, without a final dot or spaces around', () => {
    assert.deepEqual(checkDomainName('  Example.ORG. '), { ok: true, name: 'example.org', converted: false });
    assert.deepEqual(checkDomainName('mail-1.sub.example.co.jp'), {
      ok: true,
      name: 'mail-1.sub.example.co.jp',
      converted: false,
    });
    assert.equal(checkDomainName(`${'a'.repeat(63)}.com`).ok, true);
    assert.equal(checkDomainName(`${'abcdefghi.'.repeat(25)}com`).ok, true, '253 characters');
  });

  test('a name in Japanese or in full-width letters becomes its ASCII form, and says so', () => {
    assert.deepEqual(checkDomainName('例え.jp'), { ok: true, name: 'xn--r8jz45g.jp', converted: true });
    assert.deepEqual(checkDomainName('ｅｘａｍｐｌｅ．ｃｏｍ'), {
      ok: true,
      name: 'example.com',
      converted: true,
    });
  });

  test('each malformed name is refused with the reason', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['.', 'empty'],
      ['example..com', 'empty-label'],
      ['.example.com', 'empty-label'],
      ['exa_mple.com', 'characters'],
      ['exa mple.com', 'characters'],
      ['taro@example.com', 'characters'],
      ['https://example.com', 'characters'],
      ['例え jp', 'characters'],
      ['-example.com', 'hyphen'],
      ['example-.com', 'hyphen'],
      ['localhost', 'one-label'],
      ['192.0.2.1', 'numeric'],
      [`${'a'.repeat(64)}.com`, 'label-too-long'],
      [`${'abcdefghi.'.repeat(26)}com`, 'too-long'],
    ];
    for (const [text, problem] of cases) {
      assert.deepEqual(checkDomainName(text), { ok: false, problem }, JSON.stringify(text));
    }
  });

  test('a domain the server already has is refused before asking it, whatever the case typed', () => {
    assert.deepEqual(checkDomainName('Example.com', ['example.com']), { ok: false, problem: 'exists' });
    assert.equal(checkDomainName('example.net', ['example.com']).ok, true);
  });
});

describe('the order of the domains list', () => {
  test('main domains by name, each followed by its aliases by name', () => {
    const list = [
      domain('zeta.example'),
      domain('b.example.jp', 'alpha.example'),
      domain('alpha.example', null, true),
      domain('a.example.jp', 'alpha.example'),
      domain('z.example.net', 'zeta.example'),
    ];
    assert.deepEqual(
      orderDomains(list).map((d) => d.name),
      ['alpha.example', 'a.example.jp', 'b.example.jp', 'zeta.example', 'z.example.net'],
    );
    assert.deepEqual(
      aliasesOf(list, 'alpha.example').map((d) => d.name),
      ['a.example.jp', 'b.example.jp'],
    );
    assert.deepEqual(aliasesOf(list, 'zeta.example').length, 1);
    assert.deepEqual(aliasesOf(list, 'a.example.jp'), []);
  });

  test('an alias whose main domain is missing is still listed, last', () => {
    const list = [domain('orphan.example', 'gone.example'), domain('main.example')];
    assert.deepEqual(
      orderDomains(list).map((d) => d.name),
      ['main.example', 'orphan.example'],
    );
  });
});
