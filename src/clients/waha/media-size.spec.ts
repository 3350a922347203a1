import { reportedMediaSize } from './media-size';

describe('reportedMediaSize', () => {
  it.each([
    ['WEBJS _data.size', { size: 39418, filehash: 'x' }, 39418],
    ['NOWEB fileLength as a decimal string', { message: { documentMessage: { fileLength: '2147483648', mimetype: 'application/zip' } } }, 2147483648],
    ['NOWEB fileLength as a Long', { message: { videoMessage: { fileLength: { low: 0, high: 1, unsigned: true } } } }, 4294967296],
    ['NOWEB document with caption wrapper', { message: { documentWithCaptionMessage: { message: { documentMessage: { fileLength: '1200' } } } } }, 1200],
    ['GOWS Message.imageMessage.fileLength', { Info: { ID: 'A' }, Message: { imageMessage: { fileLength: 52000 } } }, 52000],
    ['GOWS FileLength', { Message: { ImageMessage: { FileLength: 7 } } }, 7],
    ['nothing reported', { type: 'image' }, undefined],
    ['garbage', { size: 'big', message: { imageMessage: { fileLength: '-1' } } }, undefined],
  ])('%s', (_name, data, size) => {
    expect(reportedMediaSize(data as Record<string, unknown>)).toBe(size);
  });
  it('is undefined without _data', () => expect(reportedMediaSize(undefined)).toBeUndefined());
});
