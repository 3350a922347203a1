import { fileOf, planParts } from './agent-parts';

const att = (name: string, fileType?: string, contentType?: string) => ({ url: `https://cw.example/rails/active_storage/blobs/x/${name}`, fileType, contentType });

describe('planParts', () => {
  it('sends a single captionable attachment with the text as its caption, keyed 0', () => {
    expect(planParts('look', [att('a.jpg', 'image')], true)).toEqual([{ key: 0, method: 'sendImage', caption: 'look', file: { url: expect.any(String), filename: 'a.jpg', mimetype: 'image/jpeg' } }]);
    expect(planParts('the video', [att('v.mp4', 'video')], true)[0]).toMatchObject({ key: 0, method: 'sendVideo', caption: 'the video', convert: true });
    expect(planParts('the file', [att('r.pdf', 'file')], true)[0]).toMatchObject({ key: 0, method: 'sendFile', caption: 'the file' });
  });

  it('sends the text first of a voice note, which carries no caption on WhatsApp', () => {
    const parts = planParts('listen', [att('memo.m4a', 'audio')], true);
    expect(parts.map((p) => [p.key, p.method, p.text ?? p.caption])).toEqual([
      ['voice-text', 'sendText', 'listen'],
      [0, 'sendVoice', undefined],
    ]);
    expect(parts[1]).toMatchObject({ convert: true, file: { mimetype: 'audio/mp4' } });
  });

  it('sends several attachments after the text, in order, by kind, without captions', () => {
    const parts = planParts('three files', [att('a.png', 'image'), att('b.webm', 'video'), att('c.ogg', 'audio'), att('d.zip', 'file')], true);
    expect(parts.map((p) => [p.key, p.method, p.caption])).toEqual([
      [0, 'sendText', undefined],
      [1, 'sendImage', undefined],
      [2, 'sendVideo', undefined],
      [3, 'sendVoice', undefined],
      [4, 'sendFile', undefined],
    ]);
    expect(planParts('', [att('a.png', 'image'), att('b.png', 'image')], true).map((p) => p.key)).toEqual([0, 1]);
  });

  it('sends as documents what an older WAHA cannot convert: non-MP4 video, non-Opus audio, GIF and WebP images', () => {
    const parts = planParts('', [att('b.webm', 'video'), att('c.mp3', 'audio'), att('d.ogg', 'audio'), att('e.mp4', 'video'), att('f.gif', 'image')], false);
    expect(parts.map((p) => [p.method, p.convert])).toEqual([
      ['sendFile', undefined],
      ['sendFile', undefined],
      ['sendVoice', undefined],
      ['sendVideo', undefined],
      ['sendFile', undefined],
    ]);
  });

  it("takes ChatWoot's content_type over the extension", () => {
    expect(fileOf(att('noext', 'file', 'application/vnd.ms-excel'), 0)).toMatchObject({ mimetype: 'application/vnd.ms-excel', filename: 'noext' });
    expect(fileOf(att('x.unknown', 'file'), 2).mimetype).toBe('application/octet-stream');
  });
});
