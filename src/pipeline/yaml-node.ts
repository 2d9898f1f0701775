// Small questions asked of yaml AST nodes while validating: what is it, what text did the user write.

import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type Node } from 'yaml';

/** Follows an alias to the node it names, so validators never see aliases; undefined when there is no node. */
export function resolveNode(node: unknown, doc: Document): Node | undefined {
  const target = isAlias(node) ? node.resolve(doc) : node;
  return isNode(target) ? target : undefined;
}

/** Names a node's type for "expected X, got Y" messages. */
export function describeNode(node: Node | undefined): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (!isScalar(node) || node.value === null || node.value === undefined) return 'null';
  const value = node.value;
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : 'a string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

/**
 * The text of a string, number or boolean scalar as written, so `1.10` stays "1.10" and `2024` can name a job;
 * undefined for anything else.
 */
export function scalarText(node: Node | undefined): string | undefined {
  if (!isScalar(node)) return undefined;
  const value = node.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return node.source ?? String(value);
  }
  return undefined;
}

/** Tells a string scalar's text apart from numbers and booleans where only real strings are accepted. */
export function stringValue(node: Node | undefined): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** Shows a scalar the way the user wrote it (`"8d"`, `-5`) or names its type. */
export function showValue(node: Node | undefined): string {
  const text = stringValue(node);
  if (text !== undefined) return JSON.stringify(text);
  return scalarText(node) ?? describeNode(node);
}
