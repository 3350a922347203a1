import { hostOf, planMediaFetch } from './media-url';

describe('planMediaFetch', () => {
  const WAHA = 'https://chat.example.com/waha';

  it.each([
    // WAHA's default base URL (localhost:3000) while the bridge reaches it elsewhere: rewritten, prefix joined.
    ['http://localhost:3000/api/files/default/ABC.jpeg', 'https://chat.example.com/waha/api/files/default/ABC.jpeg'],
    ['http://127.0.0.1:3000/api/files/default/ABC.jpeg', 'https://chat.example.com/waha/api/files/default/ABC.jpeg'],
    ['http://0.0.0.0:3000/api/files/default/ABC.jpeg', 'https://chat.example.com/waha/api/files/default/ABC.jpeg'],
    // WAHA_BASE_URL already the public URL: kept, the prefix not doubled.
    ['https://chat.example.com/waha/api/files/default/ABC.jpeg', 'https://chat.example.com/waha/api/files/default/ABC.jpeg'],
    // WAHA's host on another port or scheme: still WAHA.
    ['http://chat.example.com:3000/api/files/default/ABC.jpeg', 'https://chat.example.com/waha/api/files/default/ABC.jpeg'],
    // A bare path (old answers).
    ['/api/files/ABC.jpeg', 'https://chat.example.com/waha/api/files/ABC.jpeg'],
  ])('%s is WAHA itself: %s, with the API key', (url, expected) => {
    expect(planMediaFetch(url, WAHA, [])).toEqual({ kind: 'waha', url: expected });
  });

  it('keeps a query string on WAHA URLs', () => {
    expect(planMediaFetch('http://localhost:3000/api/files/x.jpg?v=1', 'http://waha:3000', [])).toEqual({ kind: 'waha', url: 'http://waha:3000/api/files/x.jpg?v=1' });
  });

  it('fetches a presigned storage URL as it is, without the key, only when its host is listed', () => {
    const s3 = 'https://bucket.s3.eu-central-1.amazonaws.com/default/ABC.jpeg?X-Amz-Signature=abc&X-Amz-Expires=300';
    expect(planMediaFetch(s3, WAHA, [])).toEqual({ kind: 'refused', reason: 'media host bucket.s3.eu-central-1.amazonaws.com is not in MEDIA_HOSTS' });
    expect(planMediaFetch(s3, WAHA, ['*.amazonaws.com'])).toEqual({ kind: 'foreign', url: s3 });
    expect(planMediaFetch(s3, WAHA, ['bucket.s3.eu-central-1.amazonaws.com'])).toEqual({ kind: 'foreign', url: s3 });
    expect(planMediaFetch('http://minio:9000/b/x.jpg?sig=1', WAHA, ['minio:9000']).kind).toBe('foreign');
    expect(planMediaFetch('http://minio:9001/b/x.jpg?sig=1', WAHA, ['minio:9000']).kind).toBe('refused');
  });

  it.each(['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.5/x.jpg', 'http://internal.lan/x.jpg', 'notaurl://'])(
    'refuses %s unless listed',
    (url) => {
      expect(planMediaFetch(url, WAHA, ['cdn.example.com']).kind).toBe('refused');
    },
  );
});

describe('hostOf', () => {
  it('names the host and port an agent attachment was refused from, or the start of what is not a URL', () => {
    expect(hostOf('http://10.0.0.5:8080/rails/active_storage/blob.pdf')).toBe('10.0.0.5:8080');
    expect(hostOf('https://files.example.com/a.png')).toBe('files.example.com');
    expect(hostOf('not a url')).toBe('not a url');
    expect(hostOf(`x${'y'.repeat(100)}`)).toHaveLength(60);
  });
});
