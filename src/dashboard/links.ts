/** The dashboard's own paths and the GitHub pages it links to. Every segment is encoded. */

export const RACES_PATH = '/races';
export const SIGN_IN_PATH = '/auth/sign-in';
export const CALLBACK_PATH = '/auth/callback';
export const SIGN_OUT_PATH = '/auth/sign-out';

export interface RepoName {
  owner: string;
  repo: string;
}

const segment = encodeURIComponent;

export function listPath(r: RepoName, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, value);
  const search = params.toString();
  return `${RACES_PATH}/${segment(r.owner)}/${segment(r.repo)}${search ? `?${search}` : ''}`;
}

export function clusterPath(r: RepoName, fingerprint: string): string {
  return `${RACES_PATH}/${segment(r.owner)}/${segment(r.repo)}/${segment(fingerprint)}`;
}

export function signInPath(returnTo: string): string {
  return `${SIGN_IN_PATH}?${new URLSearchParams({ return: returnTo })}`;
}

export function issueUrl(githubUrl: string, r: RepoName, number: number): string {
  return `${githubUrl}/${segment(r.owner)}/${segment(r.repo)}/issues/${number}`;
}

export function commentUrl(githubUrl: string, r: RepoName, number: number, commentId: number): string {
  return `${issueUrl(githubUrl, r, number)}#issuecomment-${commentId}`;
}

export function pullUrl(githubUrl: string, r: RepoName, number: number): string {
  return `${githubUrl}/${segment(r.owner)}/${segment(r.repo)}/pull/${number}`;
}

/** Where a race's page is, for the bot's comment: `(owner/repo, fingerprint) -> URL`. */
export function raceUrls(publicUrl: string): (repo: RepoName, fingerprint: string) => string {
  return (repo, fingerprint) => `${publicUrl}${clusterPath(repo, fingerprint)}`;
}

/** A path the sign-in may return to: only a dashboard page of this app, never another site. */
export function safeReturnPath(path: string | null | undefined): string {
  return path && /^\/races\/[^/\\]/.test(path) && !path.includes('//') ? path : RACES_PATH;
}
