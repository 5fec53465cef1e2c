/**
 * The check every faked GitHub request and answer goes through, and the extract it reads: it
 * must refuse what GitHub would refuse, cover every route the app and the CLI call, and be
 * what scripts/extract-openapi.ts makes of the package it names.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract as fromPackage, USED_OPERATIONS } from '../../scripts/extract-openapi.js';
import { checkRequest, checkResponse, extract } from '../support/github/openapi.js';

const at = (id: string) => extract.operations.findIndex((o) => o.operationId === id);

describe('checkRequest', () => {
  test('accepts documented requests', () => {
    expect(checkRequest('POST', '/repos/o/r/issues/1/labels', { labels: ['a/b'] })).toMatchObject({ operationId: 'issues/add-labels', problems: [] });
    expect(checkRequest('GET', '/repos/o/r/issues/1/comments?per_page=100', undefined).problems).toEqual([]);
    expect(checkRequest('DELETE', '/repos/o/r/issues/1/labels/type%2Fdata-race', undefined).problems).toEqual([]);
    expect(checkRequest('GET', '/app/hook/deliveries?per_page=100', undefined).problems).toEqual([]);
  });

  test.each([
    ['an unknown route', 'PUT', '/repos/o/r/issues/1/lock', undefined, /not an operation/],
    ['an undocumented query parameter', 'GET', '/repos/o/r/labels?colour=red', undefined, /query parameter "colour"/],
    ['a missing required field', 'POST', '/repos/o/r/issues/1/comments', { text: 'hi' }, /must have required property 'body'/],
    ['a value outside the enum', 'POST', '/repos/o/r/issues/comments/5/reactions', { content: 'thumbsup' }, /must be equal to one of the allowed values/],
    ['a wrong type', 'PATCH', '/repos/o/r/issues/comments/5', { body: 42 }, /must be string/],
    ['an empty label list', 'POST', '/repos/o/r/issues/1/labels', { labels: [] }, /must match exactly one schema in oneOf/],
    ['a body where none is taken', 'GET', '/repos/o/r/issues/1', { x: 1 }, /takes no request body/],
  ])('refuses %s', (_case, method, url, body, problem) => {
    expect(checkRequest(method, url, body).problems.join('\n')).toMatch(problem);
  });
});

describe('checkResponse', () => {
  test('holds a fake answer to the response schema of its status', () => {
    expect(checkResponse(at('issues/create-comment'), 201, { id: 1 }, true).join('\n')).toMatch(/must have required property 'node_id'/);
    expect(checkResponse(at('repos/get-collaborator-permission-level'), 200, { permission: 'read' }, true).join('\n')).toMatch(/role_name/);
    expect(checkResponse(at('issues/remove-label'), 200, [{ name: 'x' }], true).join('\n')).toMatch(/required property/);
  });

  test('takes failures GitHub sends on any route only in its error shape', () => {
    expect(checkResponse(at('issues/create-comment'), 502, { message: 'Server Error' }, true)).toEqual([]);
    expect(checkResponse(at('issues/create-comment'), 429, { message: 7 }, true).join('\n')).toMatch(/must be string/);
    expect(checkResponse(at('issues/create-comment'), 418, { message: 'teapot' }, true).join('\n')).toMatch(/not documented/);
  });
});

test('the extract covers every route the app, its dashboard and the CLI call', () => {
  const sources = ['../../src/github/', '../../src/dashboard/', '../../src/cli/'].flatMap((relative) => {
    const dir = new URL(relative, import.meta.url).pathname;
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
  });
  const routes = sources.flatMap((text) => [...text.matchAll(/(?:request|paginate(?:\.iterator)?)\(\s*'([A-Z]+) (\/[^']+)'/g)].map((m) => `${m[1]} ${m[2]}`));
  expect(routes.length).toBeGreaterThan(10);
  expect(routes).toContain('GET /repos/{owner}/{repo}');
  for (const route of new Set(routes)) expect(USED_OPERATIONS).toContain(route);
  for (const route of USED_OPERATIONS) {
    const [method, path] = route.split(' ');
    expect(extract.operations).toContainEqual(expect.objectContaining({ method, path }));
  }
});

/**
 * `@octokit/openapi` is 385 MB and not a dependency: compared where it is installed. `.ci/run`
 * installs it and names it in OCTOKIT_OPENAPI, and then the comparison always runs.
 */
const PACKAGE = process.env.OCTOKIT_OPENAPI ?? '/tmp/oa/node_modules/@octokit/openapi';

(process.env.OCTOKIT_OPENAPI || existsSync(join(PACKAGE, 'generated/api.github.com.json')) ? test : test.skip)('the committed extract is what the script makes of @octokit/openapi', () => {
  expect(JSON.parse(readFileSync(new URL('../fixtures/github-openapi-extract.json', import.meta.url), 'utf8'))).toEqual(fromPackage(PACKAGE));
});
