/**
 * Every request the app sends to the fake GitHub, and every answer the fake gives, checked
 * against GitHub's own OpenAPI description (the committed extract made by
 * scripts/extract-openapi.ts) with ajv: a known method and path template, only documented
 * query parameters, a body that fits the operation's request schema, and an answer that fits
 * the schema of its status. A fake that drifts from GitHub fails the test that used it.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

interface Operation {
  operationId: string;
  method: string;
  path: string;
  queryParams: string[];
  bodyRequired: boolean;
  bodySchema: object | null;
  responses: Record<string, object | null>;
}

interface Extract {
  source: string;
  operations: Operation[];
  components: { schemas: Record<string, object> };
}

export const extract = JSON.parse(readFileSync(new URL('../../fixtures/github-openapi-extract.json', import.meta.url), 'utf8')) as Extract;

// OpenAPI 3.0 keywords (`nullable`) are ajv's own; `strict: false` lets it skip the ones it does not validate.
const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
addFormats(ajv);
ajv.addSchema({ $id: 'github', components: extract.components, operations: extract.operations });

const compiled = new Map<string, ValidateFunction>();
function validator(pointer: string): ValidateFunction {
  let fn = compiled.get(pointer);
  if (!fn) {
    fn = ajv.getSchema(`github#${pointer}`);
    if (!fn) throw new Error(`no schema at ${pointer}`);
    compiled.set(pointer, fn);
  }
  return fn;
}

function problemsOf(fn: ValidateFunction, value: unknown, what: string): string[] {
  if (fn(value)) return [];
  return (fn.errors ?? []).slice(0, 5).map((e) => `${what}${e.instancePath || ''} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

const matchers = extract.operations.map((op, index) => ({
  op,
  index,
  // `{path}` of the contents API spans several segments; every other parameter is one segment.
  regex: new RegExp(`^${op.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'path' ? '(.+)' : '([^/]+)'))}$`),
}));

function literalSegments(path: string): number {
  return path.split('/').filter((segment) => segment !== '' && !segment.startsWith('{')).length;
}

export interface RequestCheck {
  operationId?: string;
  /** Index of the operation in the extract. */
  index?: number;
  problems: string[];
}

/** The operation a request is, or a list of what is wrong with it. */
export function checkRequest(method: string, url: string, body: unknown): RequestCheck {
  const parsed = new URL(url, 'http://github.invalid');
  // A literal segment wins over a parameter, as GitHub routes them: `/issues/comments` is not issue "comments".
  const match = matchers
    .filter((m) => m.op.method === method.toUpperCase() && m.regex.test(parsed.pathname))
    .sort((a, b) => literalSegments(b.op.path) - literalSegments(a.op.path))[0];
  if (!match) return { problems: [`${method} ${parsed.pathname} is not an operation in the extract`] };
  const { op, index } = match;
  const problems: string[] = [];
  for (const key of parsed.searchParams.keys()) {
    if (!op.queryParams.includes(key)) problems.push(`${op.operationId}: query parameter "${key}" is not documented`);
  }
  if (body === undefined || body === '') {
    if (op.bodyRequired) problems.push(`${op.operationId}: a request body is required`);
  } else if (op.bodySchema) {
    problems.push(...problemsOf(validator(`/operations/${index}/bodySchema`), body, `${op.operationId} request body`));
  } else {
    problems.push(`${op.operationId}: takes no request body`);
  }
  return { operationId: op.operationId, index, problems };
}

/**
 * What is wrong with an answer to operation `index`. A status the description does not list
 * for the operation (5xx, 429: GitHub's failures) must still be GitHub's error object.
 */
export function checkResponse(index: number, status: number, body: unknown, json: boolean): string[] {
  const op = extract.operations[index]!;
  const what = `${op.operationId} ${status} answer`;
  if (!(String(status) in op.responses)) {
    if (status >= 500 || status === 429 || status === 403) return problemsOf(validator('/components/schemas/basic-error'), body, what);
    return [`${what}: status ${status} is not documented`];
  }
  const schema = op.responses[String(status)];
  if (schema === null) return body === undefined || body === '' || !json ? [] : [`${what}: no body is documented`];
  // A raw file (`accept: application/vnd.github.raw`) is text, which the description does not model.
  if (!json) return op.operationId === 'repos/get-content' ? [] : [`${what}: expected JSON`];
  return problemsOf(validator(`/operations/${index}/responses/${status}`), body, what);
}
