/**
 * node:test and node:assert for the DOM-free tests of this feature, which
 * Node runs directly. The web project is type-checked without Node's types
 * (so browser code cannot use them by accident): these are loaded by a name
 * TypeScript does not resolve, with the little typing the tests need.
 */
export interface Assert {
  equal(actual: unknown, expected: unknown, message?: string): void;
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
  ok(value: unknown, message?: string): void;
}
type TestFunction = (name: string, body: () => void | Promise<void>) => void;

const runnerModule: string = 'node:test';
const assertModule: string = 'node:assert/strict';

const runner = (await import(runnerModule)) as { test: TestFunction; describe: TestFunction };
export const { test, describe } = runner;
export const assert = ((await import(assertModule)) as { default: Assert }).default;
