/**
 * GitHub's GraphQL API as the fake answers it: every document the app sends is parsed and
 * validated against GitHub's published schema (`@octokit/graphql-schema`), its variables are
 * coerced to their declared types, and the answer is produced by executing the document on
 * that schema over the fake's state, so an answer can only have the shape GitHub's has.
 */
import { buildSchema, executeSync, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { schema as published } from '@octokit/graphql-schema';

let built: GraphQLSchema | undefined;

/** GitHub's schema, built once per process (the SDL is over a megabyte). */
export function githubSchema(): GraphQLSchema {
  built ??= buildSchema(published.idl, { assumeValidSDL: true });
  return built;
}

export interface GraphQLAnswer {
  /** What is wrong with the request (empty for a document GitHub would run). */
  problems: string[];
  body: { data?: unknown; errors?: { message: string }[] };
}

/** Validates and runs one GraphQL request body (`{ query, variables }`) over `root`. */
export function runGraphQL(body: unknown, root: Record<string, unknown>): GraphQLAnswer {
  const { query, variables } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
  if (typeof query !== 'string') return { problems: ['graphql: the body has no query'], body: { errors: [{ message: 'A query attribute must be specified' }] } };
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return { problems: [`graphql: ${String(error)}`], body: { errors: [{ message: String(error) }] } };
  }
  const invalid = validate(githubSchema(), document);
  if (invalid.length > 0) {
    const messages = invalid.slice(0, 5).map((e) => e.message);
    return { problems: messages.map((m) => `graphql: ${m}`), body: { errors: messages.map((message) => ({ message })) } };
  }
  const result = executeSync({ schema: githubSchema(), document, rootValue: root, variableValues: variables ?? {} });
  const errors = (result.errors ?? []).map((e) => ({ message: e.message }));
  // An error of execution here is the fake's (or the variables'), never GitHub's normal answer.
  return { problems: errors.map((e) => `graphql: ${e.message}`), body: { data: result.data ?? null, ...(errors.length > 0 ? { errors } : {}) } };
}
