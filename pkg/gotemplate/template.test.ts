// The template engine against Go text/template's documented behaviour: a table of templates and their output
// (each case's expected text is what `go run` prints for it), errors with line:column, and properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { render, Template, TemplateError } from './index.ts';

const data = { Name: 'web', Port: 8080, Tags: ['a', 'b'], Meta: { zone: 'z1', rack: 'r2' }, Empty: [], Zero: 0, Nested: { Inner: { V: 'deep' } } };

const cases: Array<[string, string, string]> = [
  ['field', 'name={{ .Name }} port={{ .Port }}', 'name=web port=8080'],
  ['nested field', '{{ .Nested.Inner.V }}', 'deep'],
  ['missing map key', '{{ .Nope }}', '<no value>'],
  ['list and map printing', '{{ .Tags }} {{ .Meta }}', '[a b] map[rack:r2 zone:z1]'],
  ['if/else if/else', '{{ if .Zero }}z{{ else if .Empty }}e{{ else }}none{{ end }}', 'none'],
  ['with sets dot', '{{ with .Nested.Inner }}{{ .V }}{{ end }}', 'deep'],
  ['with else', '{{ with .Empty }}x{{ else }}empty{{ end }}', 'empty'],
  ['range list with index', '{{ range $i, $t := .Tags }}{{ $i }}:{{ $t }} {{ end }}', '0:a 1:b '],
  ['range map sorted by key', '{{ range $k, $v := .Meta }}{{ $k }}={{ $v }};{{ end }}', 'rack=r2;zone=z1;'],
  ['range else', '{{ range .Empty }}x{{ else }}nothing{{ end }}', 'nothing'],
  ['range break/continue', '{{ range .Tags }}{{ if eq . "a" }}{{ continue }}{{ end }}{{ . }}{{ break }}{{ end }}', 'b'],
  ['root variable inside range', '{{ range .Tags }}{{ $.Name }}-{{ . }} {{ end }}', 'web-a web-b '],
  ['variables and assignment', '{{ $x := "one" }}{{ if true }}{{ $x = "two" }}{{ end }}{{ $x }}', 'two'],
  ['pipes', '{{ .Name | toUpper | printf "<%s>" }}', '<WEB>'],
  ['parenthesized pipeline', '{{ printf "%s:%d" (.Name | toUpper) .Port }}', 'WEB:8080'],
  ['trim markers', 'a  {{- "b" -}}  \n c', 'abc'],
  ['comments', 'a{{/* not printed */}}b{{- /* trimmed */ -}} c', 'abc'],
  ['and/or return the deciding operand', '{{ and 1 0 2 }} {{ or 0 "" "x" }} {{ not "" }}', '0 x true'],
  ['comparisons', '{{ eq .Port 8080 }} {{ ne .Name "web" }} {{ lt 1 2 }} {{ ge "b" "a" }} {{ eq 1 2 3 1 }}', 'true false true true true'],
  ['len and index', '{{ len .Tags }} {{ index .Tags 1 }} {{ index .Meta "zone" }}', '2 b z1'],
  ['print and println', '{{ print 1 2 "x" 3 }}|{{ println "a" 1 }}', '1 2x3|a 1\n'],
  ['printf verbs', '{{ printf "%d %s %q %5.2f %v %%" 42 "s" "q" 3.14159 .Tags }}', '42 s "q"  3.14 [a b] %'],
  ['string literals', '{{ "tab\\tnew" }} {{ `raw\\n` }} {{ \'a\' }}', 'tab\tnew raw\\n 97'],
  ['string helpers', '{{ "a,b" | split "," | join "+" }} {{ "  x " | trimSpace }} {{ "aXa" | replaceAll "X" "-" }} {{ contains "b" "abc" }}', 'a+b x a-a true'],
];

for (const [name, src, want] of cases) {
  test(`template: ${name}`, () => assert.equal(render('t', src, data), want));
}

test('template: custom delimiters leave {{ }} as text', () => {
  assert.equal(render('t', '[[ .Name ]] {{ .Name }}', data, { leftDelim: '[[', rightDelim: ']]' }), 'web {{ .Name }}');
});

test('template: custom functions, also in pipes (the piped value is the last argument)', () => {
  const funcs = { env: (k: unknown) => ({ HOME: '/h' })[k as string] ?? '', keyOrDefault: (k: unknown, d: unknown) => (k === 'cm/a' ? 'A' : d) };
  assert.equal(render('t', '{{ env "HOME" }} {{ keyOrDefault "cm/a" "x" }} {{ "y" | keyOrDefault "cm/b" }}', {}, { funcs }), '/h A y');
});

const errors: Array<[string, string, string]> = [
  ['unknown function', 'ok\n  {{ nope 1 }}', 't:2:6: function "nope" not defined'],
  ['missing end', 'a\n{{ if .X }}b', 't:2:4: unexpected EOF: {{if}} has no {{end}}'],
  ['stray end', '{{ end }}', 't:1:4: unexpected {{end}}'],
  ['unclosed action', 'x {{ .A ', 't:1:3: unclosed action'],
  ['break outside range', '{{ break }}', 't:1:4: {{break}} outside {{range}}'],
  ['function error at its position', '\n\n   {{ fail "x" }}', 't:3:7: error calling fail: boom x'],
  ['nil field chain', '{{ .A.B }}', 't:1:4: nil pointer evaluating .B'],
  ['argument to a non-function', '{{ .Name 1 }}', "t:1:4: can't give argument to non-function .Name"],
  ['unterminated string', '{{ "abc }}', 't:1:1: unclosed action'],
];

for (const [name, src, want] of errors) {
  test(`template error: ${name}`, () => {
    const funcs = { fail: (x: unknown) => { throw new Error(`boom ${String(x)}`); } };
    assert.throws(() => render('t', src, { Name: 'n' }, { funcs }), (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.message, `template: ${want}`);
      return true;
    });
  });
}

test('property: text without delimiters renders to itself', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }).filter((s) => !s.includes('{{')), (s) => render('p', s) === s));
});

test('property: a quoted string literal prints as the string', () => {
  // The oracle: JSON.stringify quotes a string the way Go's strconv.Quote does for printable ASCII.
  const printable = fc.string({ unit: fc.constantFrom(...' abcXYZ019_-.,:;!?/\\"\'{}'.split('')) });
  fc.assert(fc.property(printable, (s) => render('p', `{{ ${JSON.stringify(s)} }}`) === s));
});

test('property: range over a list prints each element in order', () => {
  fc.assert(fc.property(fc.array(fc.integer()), (xs) => render('p', '{{ range . }}{{ . }},{{ end }}', xs) === xs.map((x) => `${x},`).join('')));
});

test('property: an error position is inside the source', () => {
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
    const src = `${a}{{ undefinedFn }}${b}`;
    try {
      Template.parse('p', src);
      return true; // a and b may close or open actions of their own that hide the call
    } catch (e) {
      if (!(e instanceof TemplateError)) return false;
      const lines = src.split('\n');
      return e.line >= 1 && e.line <= lines.length && e.col >= 1 && e.col <= lines[e.line - 1]!.length + 1;
    }
  }));
});
