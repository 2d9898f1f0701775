// Dotted paths that name a place in the config: `jobs.test.needs[0]`, `jobs["my job"].run`.

const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Appends a mapping key, bracketing keys whose dots or spaces would make the path ambiguous. */
export function childPath(parent: string, key: string): string {
  if (!PLAIN_SEGMENT.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Appends a list index. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
