import { safeFilename, urlFilename } from './filenames';

describe('file names from the other side', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', '_.._etc_passwd'],
    ['C:\\Windows\\evil.bat', 'C__Windows_evil.bat'],
    ['invoice\u202efdp.exe', 'invoice_fdp.exe'],
    ['line\nbreak.txt', 'line_break.txt'],
    ['.hidden', 'hidden'],
    ['   ', 'file.bin'],
  ])('%j → %j', (raw, safe) => {
    expect(safeFilename(raw, 'file.bin')).toBe(safe);
  });

  it('keeps the extension when it shortens a long name', () => {
    const name = safeFilename(`${'a'.repeat(500)}.pdf`, 'x');
    expect(name).toHaveLength(200);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  it('decodes the last URL segment and survives a malformed escape', () => {
    expect(urlFilename('https://cw.example.com/rails/active_storage/blobs/redirect/abc/My%20File.pdf?x=1')).toBe('My File.pdf');
    expect(urlFilename('https://cw.example.com/a/bad%E0%A4%A.pdf')).toBe('bad%E0%A4%A.pdf');
  });
});
