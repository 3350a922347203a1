/**
 * Where to fetch a WhatsApp media file from, and with which credentials.
 *
 * WAHA reports `media.url` on the base URL it was told (WAHA_BASE_URL, else `http://localhost:3000`: WAHA's
 * config.service.ts `baseUrl`), which is often not how the bridge reaches it; with S3 storage the URL is a
 * presigned one on the storage host (WAHA docs, "Storages → Media - S3"). So:
 *
 * - a URL on WAHA itself (the WAHA_URL host, or a loopback/any-address host) is fetched from WAHA_URL, with the API
 *   key (`/api/files` sits behind WAHA's key middleware), its path joined to WAHA_URL's path prefix;
 * - any other URL is fetched as it is, without the API key, and only from a host the operator listed in
 *   MEDIA_HOSTS (`host`, `host:port` or `*.domain`); anything else is refused, so a forged payload cannot make the
 *   bridge fetch an internal address.
 */
import { isIP } from 'node:net';

export type MediaFetch =
  | { kind: 'waha'; url: string }
  | { kind: 'foreign'; url: string }
  | { kind: 'refused'; reason: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '::', '[::]']);

/** The host (and port) of a URL, for telling an agent which host was refused; the URL's start when it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url.slice(0, 60);
  } catch {
    return url.slice(0, 60);
  }
}

/** True when `host` (a hostname or `host:port`) is allowed by one of the MEDIA_HOSTS entries. */
export function isListedHost(url: URL, listed: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const hostPort = `${host}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  return listed.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
    if (!entry) return false;
    if (entry.startsWith('*.')) return host.endsWith(entry.slice(1));
    return entry.includes(':') && !isIP(entry) ? entry === hostPort : entry === host;
  });
}

/** Joins WAHA_URL's path prefix and a media path, without doubling a prefix the path already carries. */
function joinPrefix(prefix: string, path: string): string {
  const base = prefix.replace(/\/+$/, '');
  if (!base || path === base || path.startsWith(`${base}/`)) return path;
  return `${base}${path.startsWith('/') ? '' : '/'}${path}`;
}

export function planMediaFetch(mediaUrl: string, wahaUrl: string, mediaHosts: readonly string[]): MediaFetch {
  const waha = new URL(wahaUrl);
  if (/^[a-z][a-z0-9+.-]*:/i.test(mediaUrl) && !/^https?:\/\//i.test(mediaUrl)) return { kind: 'refused', reason: 'the media URL is not http(s)' };
  if (!/^https?:\/\//i.test(mediaUrl)) {
    // A bare path (older WAHA answers): WAHA's own file route.
    const path = mediaUrl.startsWith('/') ? mediaUrl : `/${mediaUrl}`;
    return { kind: 'waha', url: `${waha.origin}${joinPrefix(waha.pathname, path)}` };
  }
  let url: URL;
  try {
    url = new URL(mediaUrl);
  } catch {
    return { kind: 'refused', reason: 'the media URL is malformed' };
  }
  if (url.origin === waha.origin) return { kind: 'waha', url: `${waha.origin}${joinPrefix(waha.pathname, url.pathname)}${url.search}` };
  if (LOOPBACK_HOSTS.has(url.hostname.toLowerCase()) || url.hostname.toLowerCase() === waha.hostname.toLowerCase()) {
    return { kind: 'waha', url: `${waha.origin}${joinPrefix(waha.pathname, url.pathname)}${url.search}` };
  }
  if (!isListedHost(url, mediaHosts)) {
    return { kind: 'refused', reason: `media host ${url.host} is not in MEDIA_HOSTS` };
  }
  return { kind: 'foreign', url: url.toString() };
}

/**
 * Whether WAHA may be told to fetch an agent's attachment: only from ChatWoot's own origin (CHATWOOT_URL; its
 * `data_url` is an Active Storage redirect there, app/models/attachment.rb) or a MEDIA_HOSTS host (ChatWoot's
 * FRONTEND_URL when it differs from CHATWOOT_URL, a CDN). A forged webhook could otherwise make WAHA fetch an
 * internal address (cloud metadata, an admin port) and deliver the answer to a WhatsApp number.
 */
export function agentAttachmentAllowed(attachmentUrl: string, chatwootUrl: string, mediaHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(attachmentUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  return url.origin === new URL(chatwootUrl).origin || isListedHost(url, mediaHosts);
}
