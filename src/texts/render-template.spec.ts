import { compileTemplate, renderTemplate, TemplateError } from './render-template';

describe('renderTemplate', () => {
  describe('when a template has plain variables', () => {
    it('inserts values and dotted paths without escaping markdown or HTML', () => {
      expect(renderTemplate('Hi **{{name}}** <{{user.email}}>', { name: 'A & B', user: { email: 'a@b.c' } })).toBe(
        'Hi **A & B** <a@b.c>',
      );
    });

    it('renders missing values and null as nothing, numbers including 0 as digits', () => {
      expect(renderTemplate('[{{missing}}][{{nothing}}][{{zero}}][{{a.b.c}}]', { nothing: null, zero: 0 })).toBe(
        '[][][0][]',
      );
    });

    it('joins arrays with commas and reads .length of arrays', () => {
      expect(renderTemplate('{{names}} ({{names.length}})', { names: ['inbox', 'whatsapp'] })).toBe(
        'inbox, whatsapp (2)',
      );
    });

    it('accepts triple braces and & as plain variables', () => {
      expect(renderTemplate('{{{a}}} {{&a}}', { a: '<b>' })).toBe('<b> <b>');
    });
  });

  describe('when a template has sections', () => {
    it('renders a section for a truthy value and skips it for falsy ones', () => {
      const template = '{{#on}}yes{{/on}}|{{#off}}no{{/off}}|{{#zero}}zero{{/zero}}|{{#empty}}empty{{/empty}}';
      expect(renderTemplate(template, { on: true, off: false, zero: 0, empty: [] })).toBe('yes|||');
    });

    it('repeats a section for each array item, with the item as context and {{.}} for scalars', () => {
      expect(
        renderTemplate('{{#rows}}[{{name}}={{count}}]{{/rows}}', {
          rows: [
            { name: 'a', count: 1 },
            { name: 'b', count: 2 },
          ],
        }),
      ).toBe('[a=1][b=2]');
      expect(renderTemplate('{{#ids}}<{{.}}>{{/ids}}', { ids: ['x', 'y'] })).toBe('<x><y>');
    });

    it('looks up names in outer contexts from inside a section', () => {
      expect(renderTemplate('{{#rows}}{{name}}@{{prefix}} {{/rows}}', { prefix: 'wa/', rows: [{ name: 'a' }] })).toBe(
        'a@wa/',
      );
    });

    it('uses an object value as the context of its section', () => {
      expect(renderTemplate('{{#user}}{{name}}{{/user}}', { user: { name: 'Ann' } })).toBe('Ann');
    });

    it('renders an inverted section only for falsy values and empty arrays', () => {
      const template = '{{^a}}A{{/a}}{{^b}}B{{/b}}{{^c}}C{{/c}}{{^d}}D{{/d}}';
      expect(renderTemplate(template, { a: false, b: [], c: 'x', d: [1] })).toBe('AB');
    });

    it('removes lines that hold only section tags, so optional lines leave no gaps', () => {
      const template = ['Title', '{{#items}}', '- {{.}}', '{{/items}}', '{{^items}}', 'none', '{{/items}}', 'End'].join(
        '\n',
      );
      expect(renderTemplate(template, { items: ['a', 'b'] })).toBe('Title\n- a\n- b\nEnd');
      expect(renderTemplate(template, { items: [] })).toBe('Title\nnone\nEnd');
    });

    it('shrinks runs of blank lines and trims trailing whitespace', () => {
      expect(renderTemplate('a\n\n{{#x}}b{{/x}}\n\nc\n\n', {})).toBe('a\n\nc');
    });

    it('drops comments', () => {
      expect(renderTemplate('a{{! note }}b', {})).toBe('ab');
    });
  });

  describe('when a template is malformed', () => {
    it.each([
      ['an unclosed section', '{{#a}}x'],
      ['a close without an open', 'x{{/a}}'],
      ['a mismatched close', '{{#a}}{{/b}}'],
      ['an unclosed tag', 'hello {{name'],
      ['an invalid name', '{{a b}}'],
    ])('throws a TemplateError for %s', (_title, source) => {
      expect(() => compileTemplate(source)).toThrow(TemplateError);
    });
  });
});
