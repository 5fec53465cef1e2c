/**
 * The request check every faked GitHub call goes through, and the extract it reads: it must
 * refuse what GitHub would refuse, and cover every route the app's source calls.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRequest } from './support/openapi.js';

describe('checkRequest', () => {
  test('accepts documented requests', () => {
    expect(checkRequest('POST', '/repos/o/r/issues/1/labels', { labels: ['a/b'] })).toEqual({ operationId: 'issues/add-labels', problems: [] });
    expect(checkRequest('GET', '/repos/o/r/issues/1/comments?per_page=100', undefined).problems).toEqual([]);
    expect(checkRequest('DELETE', '/repos/o/r/issues/1/labels/type%2Fdata-race', undefined).problems).toEqual([]);
  });

  test.each([
    ['an unknown route', 'PUT', '/repos/o/r/issues/1/lock', undefined, /not an operation/],
    ['an undocumented query parameter', 'GET', '/repos/o/r/labels?colour=red', undefined, /query parameter "colour"/],
    ['a missing required field', 'POST', '/repos/o/r/issues/1/comments', { text: 'hi' }, /"body" is required/],
    ['a value outside the enum', 'POST', '/repos/o/r/issues/comments/5/reactions', { content: 'thumbsup' }, /is not one of/],
    ['a wrong type', 'PATCH', '/repos/o/r/issues/comments/5', { body: 42 }, /expected string/],
    ['an empty label list', 'POST', '/repos/o/r/issues/1/labels', { labels: [] }, /none of the allowed shapes/],
  ])('refuses %s', (_case, method, url, body, problem) => {
    expect(checkRequest(method, url, body).problems.join('\n')).toMatch(problem);
  });
});

test('the extract covers every route the app calls', () => {
  const sources = ['github', 'dashboard'].flatMap((part) => {
    const dir = new URL(`../../src/${part}/`, import.meta.url).pathname;
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
  });
  const routes = sources.flatMap((text) => [...text.matchAll(/(?:request|paginate(?:\.iterator)?)\(\s*'([A-Z]+) (\/[^']+)'/g)].map((m) => [m[1]!, m[2]!] as const));
  expect(routes.length).toBeGreaterThan(5);
  const extract = JSON.parse(readFileSync(new URL('../fixtures/github-openapi-extract.json', import.meta.url), 'utf8')) as {
    operations: { method: string; path: string }[];
  };
  for (const [method, path] of routes) {
    expect(extract.operations).toContainEqual(expect.objectContaining({ method, path }));
  }
});
