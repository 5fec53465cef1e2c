/**
 * The signed-in user, kept in a cookie the browser holds: the payload is signed with HMAC
 * (a changed cookie is no session) and the user's GitHub token inside it is encrypted
 * (AES-256-GCM), so a cookie copied out of a browser or a log is no GitHub token.
 * A short-lived second cookie ties an OAuth callback to the browser that started sign-in.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse, serialize, type SerializeOptions } from 'cookie';

export const SESSION_COOKIE = 'race_triage_session';
export const SIGN_IN_COOKIE = 'race_triage_sign_in';
/** GitHub App user tokens last eight hours; the session lasts no longer. */
export const SESSION_MS = 8 * 3600 * 1000;
const SIGN_IN_MS = 10 * 60 * 1000;

export interface Session {
  login: string;
  userId: number;
  /** The user's GitHub token (a GitHub App user access token). */
  token: string;
  expiresAt: number;
}

export interface SignIn {
  state: string;
  returnTo: string;
  expiresAt: number;
}

export class SessionCookies {
  readonly #macKey: Buffer;
  readonly #tokenKey: Buffer;
  readonly #secure: boolean;

  constructor(secret: string, secure: boolean, private readonly now: () => number = Date.now) {
    const key = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'race-triage', info, 32));
    this.#macKey = key('session cookie signature');
    this.#tokenKey = key('session token encryption');
    this.#secure = secure;
  }

  session(cookieHeader: string | undefined): Session | undefined {
    const data = this.#verify(parse(cookieHeader ?? '')[SESSION_COOKIE]);
    if (!data || typeof data.login !== 'string' || typeof data.userId !== 'number' || typeof data.token !== 'string') return undefined;
    const token = this.#decrypt(data.token);
    return token === undefined ? undefined : { login: data.login, userId: data.userId, token, expiresAt: data.expiresAt };
  }

  sessionCookie(session: Session): string {
    const value = this.#sign({ login: session.login, userId: session.userId, token: this.#encrypt(session.token), expiresAt: session.expiresAt });
    return serialize(SESSION_COOKIE, value, this.#options(session.expiresAt - this.now()));
  }

  signIn(cookieHeader: string | undefined): SignIn | undefined {
    const data = this.#verify(parse(cookieHeader ?? '')[SIGN_IN_COOKIE]);
    if (!data || typeof data.state !== 'string' || typeof data.returnTo !== 'string') return undefined;
    return { state: data.state, returnTo: data.returnTo, expiresAt: data.expiresAt };
  }

  /** A new sign-in: its random `state` and the cookie that remembers it. */
  startSignIn(returnTo: string): { state: string; cookie: string } {
    const state = randomBytes(24).toString('base64url');
    const value = this.#sign({ state, returnTo, expiresAt: this.now() + SIGN_IN_MS });
    return { state, cookie: serialize(SIGN_IN_COOKIE, value, this.#options(SIGN_IN_MS)) };
  }

  clear(name: string): string {
    return serialize(name, '', { ...this.#options(0), maxAge: 0 });
  }

  #options(maxAgeMs: number): SerializeOptions {
    return { httpOnly: true, secure: this.#secure, sameSite: 'lax', path: '/', maxAge: Math.max(0, Math.floor(maxAgeMs / 1000)) };
  }

  #sign(data: Record<string, unknown>): string {
    const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  /** The payload when the signature holds and it has not expired. */
  #verify(value: string | undefined): (Record<string, unknown> & { expiresAt: number }) | undefined {
    const [payload, mac, ...rest] = (value ?? '').split('.');
    if (!payload || !mac || rest.length > 0) return undefined;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.#mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof data.expiresAt !== 'number' || data.expiresAt <= this.now()) return undefined;
      return data as Record<string, unknown> & { expiresAt: number };
    } catch {
      return undefined;
    }
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#macKey).update(payload).digest();
  }

  #encrypt(token: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#tokenKey, iv);
    const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  #decrypt(sealed: string): string | undefined {
    try {
      const bytes = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.#tokenKey, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
