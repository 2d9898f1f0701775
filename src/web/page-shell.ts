// The frame every dashboard page shares: doctype, the served stylesheet and script, a header
// naming the repository. Pages pass HTML they built with escapeHtml; the shell escapes the rest.
import { escapeHtml } from './escape-html.js';

export const STYLE_PATH = '/-/dashboard.css';
export const SCRIPT_PATH = '/-/dashboard.js';

export interface PageParts {
  title: string;
  /** The repository the page is about: named and linked in the header. */
  repo?: string;
  /** Breadcrumb HTML after the repository name (already escaped). */
  crumbs?: string;
  body: string;
  /** data-* attributes for the client script on <body> (values are escaped here). */
  data?: Record<string, string>;
}

/** A whole HTML document around a page's body. */
export function renderPage(parts: PageParts): string {
  return pageStart(parts) + parts.body + PAGE_END;
}

/** The document up to where the body goes: what a streamed page sends first. */
export function pageStart(parts: Omit<PageParts, 'body'>): string {
  const data = Object.entries(parts.data ?? {})
    .map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`)
    .join('');
  const repo = parts.repo ? `<span class="sep">/</span><a href="/${escapeHtml(encodeURIComponent(parts.repo))}/log/HEAD">${escapeHtml(parts.repo)}</a>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)} · git-ci</title>
<link rel="stylesheet" href="${STYLE_PATH}">
<script src="${SCRIPT_PATH}" defer></script>
</head><body${data}>
<header class="top"><nav><a class="brand" href="/">git-ci</a>${repo}${parts.crumbs ? `<span class="sep">/</span>${parts.crumbs}` : ''}</nav></header>
<main>
`;
}

/** The document after the body. */
export const PAGE_END = `
</main>
</body></html>
`;

/** The page for a bad or unknown request: the status and the message, escaped. */
export function renderErrorPage(status: number, message: string): string {
  const title = status === 404 ? 'Not found' : status === 400 ? 'Bad request' : `Error ${status}`;
  return renderPage({ title, body: `<section class="card error-page"><h1>${status} · ${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to the overview</a></p></section>` });
}
