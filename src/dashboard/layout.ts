/**
 * The page around every dashboard view: head, styles, the signed-in user, and the response
 * headers. Pages carry no script at all, and the Content-Security-Policy says so: the one
 * style sheet is allowed by its hash, so even markup slipped into a page could not run.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Html, html } from './html.js';
import { SIGN_OUT_PATH, signInPath } from './links.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
header.top{background:#24292f;color:#fff;padding:8px 24px;display:flex;gap:16px;align-items:center}
header.top a{color:#fff}header.top .who{margin-left:auto}header.top form{display:inline;margin:0}
header.top button{background:none;border:1px solid #8b949e;color:#fff;border-radius:4px;padding:2px 8px;cursor:pointer}
main{max-width:1200px;margin:0 auto;padding:16px 24px}
a{color:#0969da}h1{font-size:22px;margin:8px 0}h1 code{font-size:19px}h2{font-size:17px;margin:20px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
code,.frames{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
.frames{margin:4px 0 0;padding-left:20px}.muted{color:#59636e}
.state{display:inline-block;border-radius:10px;padding:0 6px;font-size:12px;margin:1px 2px 1px 0;white-space:nowrap}
.state.open{background:#dafbe1;color:#116329}.state.closed{background:#eee4fb;color:#6639ba}
.label{display:inline-block;background:#eaeef2;border-radius:10px;padding:0 6px;font-size:12px;margin:1px 2px}
.badge{display:inline-block;border-radius:4px;padding:0 5px;font-size:12px;font-weight:600}
.badge.regressed{background:#ffebe9;color:#a40e26;border:1px solid #ff8182}.badge.partial{background:#fff8c5;color:#7d4e00}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:12px 0}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#59636e}
form.filters input,form.filters select,form.filters button{font:inherit;padding:4px 6px}
nav.pages{margin:12px 0;display:flex;gap:12px}
figure.chart{margin:12px 0;background:#fff;border:1px solid #d0d7de;padding:12px}
figure.chart figcaption{font-weight:600;margin-bottom:6px}
ul.legend{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:12px;font-size:12px}
.swatch{margin-right:4px}.summary{font-size:12px;color:#59636e;margin:4px 0}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:12px}.side{background:#fff;border:1px solid #d0d7de;padding:8px 12px}
`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
/** The style sheet, verbatim: its hash is what the CSP allows. */
const TRUSTED_STYLE = new Html(STYLE);
const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

export interface Viewer {
  login?: string;
  /** Sign-in is configured (GitHub App client id and secret). */
  canSignIn: boolean;
  /** The page's own path, to come back to after signing in or out. */
  path: string;
}

export function page(title: string, viewer: Viewer, body: Html): Html {
  const who = viewer.login
    ? html`<span class="who">Signed in as <strong>${viewer.login}</strong> <form method="post" action="${SIGN_OUT_PATH}"><input type="hidden" name="return" value="${viewer.path}"><button type="submit">Sign out</button></form></span>`
    : viewer.canSignIn
      ? html`<span class="who"><a href="${signInPath(viewer.path)}">Sign in with GitHub</a></span>`
      : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title}</title><style>${TRUSTED_STYLE}</style></head>
<body><header class="top"><strong>race-triage</strong>${who}</header><main>${body}</main></body></html>`;
}

export function send(res: ServerResponse, status: number, body: Html | string, extraHeaders: Record<string, string | string[]> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // Pages depend on who is signed in, and private ones must never sit in a shared cache.
    'cache-control': 'private, no-store',
    ...extraHeaders,
  });
  res.end(String(body));
}
