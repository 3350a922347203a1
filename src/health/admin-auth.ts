/** The admin contract (README Security): `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
import { sameSecret } from '../common/secrets';

/** `none`: no ADMIN_TOKEN set or no Bearer token given (a proxy's Basic header); `bad`: a wrong token. */
export function adminAccess(expected: string | undefined, authorization: string | undefined): 'ok' | 'none' | 'bad' {
  const token = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1];
  if (!expected || token === undefined) return 'none';
  return sameSecret(expected, token) ? 'ok' : 'bad';
}

/**
 * For pages a browser opens (the queue board): the Bearer token, or HTTP Basic with the token as the password (any
 * user name), which is what a browser's login prompt sends.
 */
export function browserAccess(expected: string | undefined, authorization: string | undefined): 'ok' | 'none' | 'bad' {
  const bearer = adminAccess(expected, authorization);
  if (bearer !== 'none' || !expected) return bearer;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization?.trim() ?? '')?.[1];
  if (basic === undefined) return 'none';
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return sameSecret(expected, colon < 0 ? decoded : decoded.slice(colon + 1)) ? 'ok' : 'bad';
}
