/**
 * The S3 bucket behind `mediaStorage: 's3'`: a second small HTTP server, on another port (another host as far as a
 * client can tell), that serves downloaded media at presigned URLs.
 *
 * WAHA's S3 media storage (Plus before 2026.6.1, in Core since) answers `media.url` with a pre-signed URL on the S3
 * endpoint unless WAHA_S3_PROXY_FILES is set, and adds `media.s3 = {Bucket, Key}` (waha-docs content/docs/how-to/
 * config/index.md "WAHA_S3_PROXY_FILES", content/docs/how-to/storages/index.md "Media - S3"; OpenAPI
 * S3MediaData). A presigned URL carries its authorisation in the query (X-Amz-Signature), so the object is served
 * without WAHA's X-Api-Key; the journal records whether one was sent anyway, so tests can see a client leak it.
 * The signature here is an HMAC of bucket and key, not AWS SigV4: only "right or wrong" matters to a client.
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export interface S3Request {
  at: number;
  method: string;
  /** Path and query as requested. */
  url: string;
  status: number;
  /** An X-Api-Key header or an x-api-key query parameter came with it. */
  apiKey: boolean;
  /** An Authorization header came with it. */
  authorizationSent: boolean;
}

export interface S3Object {
  bytes: Buffer;
  mimetype: string;
}

function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`;
}

export class S3MediaServer {
  readonly bucket = 'waha-media';
  readonly journal: S3Request[] = [];
  url = '';
  private server?: http.Server;
  private readonly secret = randomBytes(16);

  /** `lookup` finds an object by key (`<session>/<waId>.<ext>`), undefined when it is not there. */
  constructor(private readonly lookup: (key: string) => S3Object | undefined) {}

  private signature(key: string): string {
    return createHmac('sha256', this.secret).update(`${this.bucket}/${key}`).digest('hex');
  }

  /** A presigned GET URL for an object; valid as long as the simulator runs. */
  presign(key: string): string {
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'SIMULATOR/20260101/us-east-1/s3/aws4_request',
      'X-Amz-Date': '20260101T000000Z',
      'X-Amz-Expires': '604800',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': this.signature(key),
    });
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.url}/${this.bucket}/${path}?${query.toString()}`;
  }

  /**
   * Listens on a port of its own. Beside a simulator on 127.0.0.1 it takes 127.0.0.2 (the whole 127/8 is loopback
   * on Linux), so its URLs have another host name, as a real bucket's would; the simulator's host where that fails.
   */
  async listen(host = '127.0.0.1'): Promise<void> {
    if (this.server) return;
    for (const candidate of host === '127.0.0.1' ? ['127.0.0.2', host] : [host]) {
      const server = http.createServer((req, res) => this.handle(req, res));
      const listening = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(0, candidate, () => resolve(true));
      });
      if (!listening) continue;
      this.server = server;
      this.url = `http://${candidate}:${(server.address() as AddressInfo).port}`;
      return;
    }
    throw new Error(`S3 simulator: cannot listen on ${host}`);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://s3');
    const entry: S3Request = {
      at: Date.now(),
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      status: 0,
      apiKey: req.headers['x-api-key'] !== undefined || url.searchParams.has('x-api-key'),
      authorizationSent: req.headers.authorization !== undefined,
    };
    this.journal.push(entry);
    const answer = (status: number, body: string | Buffer, type: string): void => {
      entry.status = status;
      res.writeHead(status, { 'content-type': type, 'content-length': String(body.length) });
      res.end(body);
    };
    const prefix = `/${this.bucket}/`;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !url.pathname.startsWith(prefix)) {
      answer(403, xmlError('AccessDenied', 'Access Denied'), 'application/xml');
      return;
    }
    const key = decodeURIComponent(url.pathname.slice(prefix.length));
    if (url.searchParams.get('X-Amz-Signature') !== this.signature(key)) {
      answer(
        403,
        xmlError(
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided.',
        ),
        'application/xml',
      );
      return;
    }
    const object = this.lookup(key);
    if (!object) {
      answer(404, xmlError('NoSuchKey', 'The specified key does not exist.'), 'application/xml');
      return;
    }
    answer(200, object.bytes, object.mimetype.split(';')[0]);
  }
}
