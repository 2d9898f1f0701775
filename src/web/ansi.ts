// ANSI colours in job logs, as HTML for the log page. Pure: SGR codes (30-37, 90-97 foreground,
// 1 bold, 22 not bold, 39 default colour, 0 reset) become spans with classes; every other escape
// sequence is dropped; all text is HTML-escaped, so a log can never become markup.
import { escapeHtml } from './escape-html.js';

/** The style in force: a foreground code (30-37, 90-97) or null, and bold. */
export interface AnsiStyle {
  fg: number | null;
  bold: boolean;
}

export const PLAIN: AnsiStyle = { fg: null, bold: false };

// CSI sequences (ESC [ params final), OSC sequences (ESC ] … BEL or ESC \), other two-byte escapes.
const ESCAPES = /\x1b\[([0-9;:?]*)([\x40-\x7e])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;

/** Applies one SGR parameter list ("1;31") to a style; codes it does not render are ignored. */
export function applySgr(style: AnsiStyle, params: string): AnsiStyle {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  let next = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) next = { ...PLAIN };
    else if (c === 1) next.bold = true;
    else if (c === 22) next.bold = false;
    else if (c === 39) next.fg = null;
    else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) next.fg = c;
    // 256-colour and truecolour: skip their arguments rather than read them as codes.
    else if (c === 38 || c === 48) i += codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 1;
  }
  return next;
}

/** One line (no newline) as HTML, starting in `style`; returns the style in force at its end. */
export function ansiLineToHtml(line: string, style: AnsiStyle = PLAIN): { html: string; style: AnsiStyle } {
  let html = '';
  let current = style;
  let last = 0;
  const emit = (text: string) => {
    // Other control characters (but tab) would only show as boxes.
    const clean = text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
    if (!clean) return;
    const classes = [current.fg !== null ? `fg${current.fg}` : '', current.bold ? 'b' : ''].filter(Boolean).join(' ');
    html += classes ? `<span class="${classes}">${escapeHtml(clean)}</span>` : escapeHtml(clean);
  };
  for (const m of line.matchAll(ESCAPES)) {
    emit(line.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[2] === 'm') current = applySgr(current, m[1] ?? '');
  }
  emit(line.slice(last));
  return { html, style: current };
}

/** A log text as one HTML string per line, the style carried from line to line. */
export function ansiToHtmlLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let style = PLAIN;
  return lines.map((line) => {
    const r = ansiLineToHtml(line.replace(/\r$/, ''), style);
    style = r.style;
    return r.html;
  });
}
