/**
 * Checks a request the app sent against GitHub's own API description (the committed
 * extract made by scripts/extract-openapi.ts): a known method and path template, only
 * documented query parameters, and a body that fits the operation's schema.
 */
import { readFileSync } from 'node:fs';

interface Operation {
  operationId: string;
  method: string;
  path: string;
  queryParams: string[];
  bodyRequired: boolean;
  bodySchema: Schema | null;
}

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
}

const extract = JSON.parse(
  readFileSync(new URL('../../fixtures/github-openapi-extract.json', import.meta.url), 'utf8'),
) as { operations: Operation[] };

const matchers = extract.operations.map((op) => ({
  op,
  // `{path}` of the contents API spans several segments; every other parameter is one segment.
  regex: new RegExp(
    `^${op.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'path' ? '(.+)' : '([^/]+)'))}$`,
  ),
}));

/** The operation a request is, or a list of what is wrong with it. */
export function checkRequest(method: string, url: string, body: unknown): { operationId?: string; problems: string[] } {
  const parsed = new URL(url, 'https://api.github.com');
  const match = matchers.find((m) => m.op.method === method.toUpperCase() && m.regex.test(parsed.pathname));
  if (!match) return { problems: [`${method} ${parsed.pathname} is not an operation in the extract`] };
  const { op } = match;
  const problems: string[] = [];
  for (const key of parsed.searchParams.keys()) {
    if (!op.queryParams.includes(key)) problems.push(`${op.operationId}: query parameter "${key}" is not documented`);
  }
  if (body === undefined || body === '') {
    if (op.bodyRequired) problems.push(`${op.operationId}: a request body is required`);
  } else if (op.bodySchema) {
    problems.push(...validate(body, op.bodySchema, `${op.operationId} body`));
  } else {
    problems.push(`${op.operationId}: takes no request body`);
  }
  return { operationId: op.operationId, problems };
}

/** A small JSON Schema check: the keywords GitHub's request schemas use for these operations. */
function validate(value: unknown, schema: Schema, at: string): string[] {
  if (value === null && schema.nullable) return [];
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) {
    return alternatives.some((alt) => validate(value, alt, at).length === 0) ? [] : [`${at}: matches none of the allowed shapes`];
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((t) => hasType(value, t))) return [`${at}: expected ${types.join(' or ')}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
  const problems: string[] = [];
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, i) => problems.push(...validate(item, schema.items!, `${at}[${i}]`)));
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) problems.push(`${at}: "${key}" is required`);
    if (schema.properties) {
      for (const [key, item] of Object.entries(record)) {
        const property = schema.properties[key];
        if (!property) problems.push(`${at}: "${key}" is not a documented field`);
        else problems.push(...validate(item, property, `${at}.${key}`));
      }
    }
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}
