/**
 * Writes test/fixtures/github-openapi-extract.json: the GitHub REST operations the app and the
 * CLI call, taken from GitHub's own OpenAPI description, with their parameters, request body
 * and response schemas, and every component schema those reach. Parameters, request bodies
 * and responses are inlined; schemas keep their `#/components/schemas/...` references, which
 * the file itself holds, so a JSON Schema validator (ajv) reads it as one document.
 *
 * GraphQL requests (closing an issue as a duplicate, reading its timeline) are not REST: the
 * fake validates them against `@octokit/graphql-schema` instead (test/support/github/graphql.ts).
 *
 * The full description ships in `@octokit/openapi` (385 MB), which is not a dependency.
 * Install it elsewhere and pass its directory:
 *
 *   mkdir -p /tmp/oa && (cd /tmp/oa && npm install @octokit/openapi@23.0.2)
 *   npx tsx scripts/extract-openapi.ts /tmp/oa/node_modules/@octokit/openapi
 *
 * test/github/openapi-extract.test.ts compares the committed file with a fresh extract when
 * the package is found (OCTOKIT_OPENAPI=dir, or /tmp/oa/node_modules/@octokit/openapi).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Every operation the app, its backfill, its redelivery scan, its dashboard, Probot's auth and the CLI send. */
export const USED_OPERATIONS = [
  'GET /app',
  'POST /app/installations/{installation_id}/access_tokens',
  'GET /app/hook/deliveries',
  'POST /app/hook/deliveries/{delivery_id}/attempts',
  // The CLI backfill (private?), and the dashboard with a signed-in user's token (may they read it?).
  'GET /repos/{owner}/{repo}',
  'GET /repos/{owner}/{repo}/contents/{path}',
  'GET /repos/{owner}/{repo}/labels',
  // OWNERS files of the default branch: one recursive tree listing, then each file by its blob SHA.
  'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
  'GET /repos/{owner}/{repo}/git/blobs/{file_sha}',
  'GET /repos/{owner}/{repo}/issues',
  'GET /repos/{owner}/{repo}/issues/{issue_number}',
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
  // Backfill: races pasted in comments, one request per 100 comments of the repository.
  'GET /repos/{owner}/{repo}/issues/comments',
  // Backfill: merged pull requests and the issues they closed, one request per 100 pull requests.
  'GET /repos/{owner}/{repo}/pulls',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
  'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
  // The dashboard, with a signed-in user's token: who they are.
  'GET /user',
];

type Json = any;

/**
 * Keeps what validates: drops prose, examples, vendor extensions and OpenAPI-only hints. An
 * OpenAPI 3.0 `nullable` next to no `type` (on a `$ref` or `allOf`) becomes JSON Schema's
 * `anyOf` with null, which a JSON Schema validator understands; next to an `enum`, it adds
 * null to the values (as OpenAPI 3.0.3 defines it).
 */
function trim(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(trim);
  if (schema === null || typeof schema !== 'object') return schema;
  if (schema.nullable === true && schema.type === undefined) {
    const { nullable: _nullable, ...rest } = schema;
    return { anyOf: [trim(rest), { type: 'null' }] };
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (['description', 'examples', 'example', 'discriminator', 'externalDocs', 'title'].includes(key) || key.startsWith('x-')) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, trim(v)])) : trim(value);
  }
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

function refsIn(value: Json, found: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.add(v.replace('#/components/schemas/', ''));
      else refsIn(v, found);
    }
  }
}

export function extract(packageDir: string): Json {
  const spec = JSON.parse(readFileSync(join(packageDir, 'generated/api.github.com.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const resolve = (node: Json): Json => {
    if (!node?.$ref) return node;
    const [, , kind, name] = (node.$ref as string).split('/');
    return resolve(spec.components[kind!][name!]);
  };
  const operations = USED_OPERATIONS.map((entry) => {
    const [method, path] = entry.split(' ') as [string, string];
    const op = spec.paths?.[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`${entry} is not in ${packageDir}`);
    const params: Json[] = [...(spec.paths[path].parameters ?? []), ...(op.parameters ?? [])].map(resolve);
    const body = resolve(op.requestBody);
    const responses: Record<string, Json> = {};
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      const content = resolve(response)?.content ?? {};
      const json = content['application/json'];
      responses[status] = json?.schema ? trim(json.schema) : null;
    }
    return {
      operationId: op.operationId,
      method,
      path,
      pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
      queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
      bodyRequired: Boolean(body?.required),
      bodySchema: body?.content?.['application/json']?.schema ? trim(body.content['application/json'].schema) : null,
      responses,
    };
  });
  // Every component schema the operations reach, transitively.
  const schemas: Record<string, Json> = {};
  const pending = new Set<string>();
  refsIn(operations, pending);
  while (pending.size > 0) {
    const [name] = pending;
    pending.delete(name!);
    if (schemas[name!]) continue;
    schemas[name!] = trim(spec.components.schemas[name!]);
    const more = new Set<string>();
    refsIn(schemas[name!], more);
    for (const m of more) if (!schemas[m]) pending.add(m);
  }
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return { source: `@octokit/openapi ${pkg.version}, api.github.com`, operations, components: { schemas: sorted } };
}

export const EXTRACT_FILE = new URL('../test/fixtures/github-openapi-extract.json', import.meta.url);

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const source = process.argv[2];
  if (!source) {
    console.error('usage: tsx scripts/extract-openapi.ts PATH/TO/node_modules/@octokit/openapi');
    process.exit(2);
  }
  const result = extract(source);
  writeFileSync(EXTRACT_FILE, JSON.stringify(result) + '\n');
  console.log(`wrote ${result.operations.length} operations and ${Object.keys(result.components.schemas).length} schemas to ${EXTRACT_FILE.pathname}`);
}
