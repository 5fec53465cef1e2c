/**
 * Writes test/fixtures/github-openapi-extract.json: the few GitHub REST operations the app
 * calls, taken from GitHub's own OpenAPI description, so tests can check every mocked
 * request (method, path template, query parameters, body schema) against it.
 *
 * The full description ships in `@octokit/openapi` (385 MB), which is not a dependency.
 * Install it elsewhere and pass the path of its dereferenced description:
 *
 *   mkdir -p /tmp/oa && (cd /tmp/oa && npm install @octokit/openapi)
 *   npx tsx scripts/extract-openapi.ts /tmp/oa/node_modules/@octokit/openapi/generated/api.github.com.deref.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Every operation the app, its backfill and Probot's installation auth send: `METHOD /path/template`. */
const USED_OPERATIONS = [
  'POST /app/installations/{installation_id}/access_tokens',
  'GET /repos/{owner}/{repo}/contents/{path}',
  'GET /repos/{owner}/{repo}/labels',
  'GET /repos/{owner}/{repo}/issues',
  'GET /repos/{owner}/{repo}/issues/{issue_number}',
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
  'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
  // The dashboard, with a signed-in user's token: who they are, and whether they can read a repository.
  'GET /user',
  'GET /repos/{owner}/{repo}',
];

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Keeps only what validates a request: drops prose, examples and vendor extensions. */
function trimSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(trimSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key === 'examples' || key === 'example' || key.startsWith('x-')) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, trimSchema(v)])) : trimSchema(value);
  }
  return out;
}

function main(): void {
  const source = process.argv[2];
  if (!source) {
    console.error('usage: tsx scripts/extract-openapi.ts PATH/TO/api.github.com.deref.json');
    process.exit(2);
  }
  const spec = JSON.parse(readFileSync(source, 'utf8'));
  const pkg = JSON.parse(readFileSync(new URL('../package.json', pathToFileURL(source)), 'utf8'));
  const operations = USED_OPERATIONS.map((entry) => {
    const [method, path] = entry.split(' ') as [string, string];
    const op = spec.paths?.[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`${entry} is not in ${source}`);
    const params: Json[] = op.parameters ?? [];
    const body = op.requestBody?.content?.['application/json'];
    return {
      operationId: op.operationId,
      method,
      path,
      pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
      queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
      bodyRequired: Boolean(op.requestBody?.required),
      bodySchema: body ? trimSchema(body.schema) : null,
    };
  });
  const target = new URL('../test/fixtures/github-openapi-extract.json', import.meta.url);
  writeFileSync(target, JSON.stringify({ source: `@octokit/openapi ${pkg.version}, api.github.com`, operations }, null, 2) + '\n');
  console.log(`wrote ${operations.length} operations to ${target.pathname}`);
}

main();
