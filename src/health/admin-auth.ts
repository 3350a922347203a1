/** The admin contract (README Security): `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
import { sameSecret } from '../common/secrets';

/** `none`: no ADMIN_TOKEN set or no Bearer token given (a proxy's Basic header); `bad`: a wrong token. */
export function adminAccess(expected: string | undefined, authorization: string | undefined): 'ok' | 'none' | 'bad' {
  const token = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1];
  if (!expected || token === undefined) return 'none';
  return sameSecret(expected, token) ? 'ok' : 'bad';
}
