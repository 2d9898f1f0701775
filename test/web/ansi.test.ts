// The ANSI-to-HTML converter of the log page: colours and bold become classes, the style carries
// across lines, other escapes vanish, and text is always escaped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ansiLineToHtml, ansiToHtmlLines, applySgr, PLAIN } from '../../src/web/ansi.js';

test('plain text is escaped and unchanged otherwise', () => {
  assert.is(ansiLineToHtml('a < b && "c" \'d\'').html, 'a &#60; b &#38;&#38; &#34;c&#34; &#39;d&#39;');
  assert.is(ansiLineToHtml('<script>window.__xss=1</script>').html, '&#60;script&#62;window.__xss=1&#60;/script&#62;');
});

test('SGR 30-37 and 90-97 become fg classes, 1 bold, 0 resets', () => {
  assert.is(ansiLineToHtml('\x1b[31mred\x1b[0m plain').html, '<span class="fg31">red</span> plain');
  assert.is(ansiLineToHtml('\x1b[1;92mok\x1b[m').html, '<span class="fg92 b">ok</span>');
  assert.is(ansiLineToHtml('\x1b[1mB\x1b[22mN').html, '<span class="b">B</span>N');
  assert.is(ansiLineToHtml('\x1b[33my\x1b[39mz').html, '<span class="fg33">y</span>z');
});

test('the style carries to the next line; text inside a coloured span is escaped too', () => {
  assert.equal(ansiToHtmlLines('\x1b[32mone\ntwo<b>\x1b[0m\nthree\n'), ['<span class="fg32">one</span>', '<span class="fg32">two&#60;b&#62;</span>', 'three']);
});

test('other escapes and control characters are dropped; 256/truecolour arguments are not read as codes', () => {
  assert.is(ansiLineToHtml('\x1b[2K\x1b[1Gdone\x07\r').html, 'done');
  assert.is(ansiLineToHtml('\x1b]0;title\x07x').html, 'x');
  assert.equal(applySgr(PLAIN, '38;5;31'), PLAIN);
  assert.equal(applySgr(PLAIN, '38;2;1;31;3;34'), { fg: 34, bold: false });
  assert.is(ansiLineToHtml('a\tb').html, 'a\tb');
});

test.run();
