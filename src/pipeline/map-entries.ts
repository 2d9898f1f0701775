// A yaml mapping as a list of keyed entries with lines, with `<<` merge keys expanded the way YAML defines them.

import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { lineOf, report, type ParseContext } from './parse-context.js';
import { describeNode, resolveNode, scalarText } from './yaml-node.js';

/** One key of a mapping, resolved and located, ready for the validators. */
export interface MapEntry {
  /** The key's text; undefined when the key is a list, a mapping or null. */
  key: string | undefined;
  keyNode: Node | undefined;
  /** The value with aliases resolved; undefined for a missing value. */
  value: Node | undefined;
  keyLine: number | undefined;
  /** Line of the value, or of the key when the value is empty. */
  valueLine: number | undefined;
}

/**
 * Lists a mapping's entries in file order. Explicit keys win over merged ones and earlier merges over later
 * ones; a repeated key keeps its first value (yaml already reports the duplicate).
 */
export function mapEntries(ctx: ParseContext, map: YAMLMap, path: string): MapEntry[] {
  const collected = collectEntries(ctx, map, path, new Set([map]));
  const explicitKeys = new Set(collected.filter((c) => !c.merged).map((c) => c.entry.key));
  const seen = new Set<string>();
  const entries: MapEntry[] = [];
  for (const { entry, merged } of collected) {
    if (entry.key !== undefined) {
      if (seen.has(entry.key) || (merged && explicitKeys.has(entry.key))) continue;
      seen.add(entry.key);
    }
    entries.push(entry);
  }
  return entries;
}

/** Finds the entry for a key, if present. */
export function findEntry(entries: MapEntry[], key: string): MapEntry | undefined {
  return entries.find((entry) => entry.key === key);
}

interface Collected {
  entry: MapEntry;
  merged: boolean;
}

// `open` holds the maps being expanded, so a map merging itself (through an alias) is not expanded forever.
function collectEntries(ctx: ParseContext, map: YAMLMap, path: string, open: Set<YAMLMap>): Collected[] {
  const collected: Collected[] = [];
  for (const pair of map.items as Pair[]) {
    if (!isMergeKey(pair.key)) {
      collected.push({ entry: toEntry(ctx, pair), merged: false });
      continue;
    }
    for (const source of mergeSources(ctx, pair, path)) {
      if (open.has(source)) continue;
      open.add(source);
      for (const inner of collectEntries(ctx, source, path, open)) collected.push({ ...inner, merged: true });
      open.delete(source);
    }
  }
  return collected;
}

function toEntry(ctx: ParseContext, pair: Pair): MapEntry {
  const keyNode = resolveNode(pair.key, ctx.doc);
  const value = resolveNode(pair.value, ctx.doc);
  const keyLine = lineOf(ctx, keyNode);
  const empty = value === undefined || (isScalar(value) && value.value === null && !value.source);
  return { key: scalarText(keyNode), keyNode, value, keyLine, valueLine: empty ? keyLine : lineOf(ctx, value) };
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

function mergeSources(ctx: ParseContext, pair: Pair, path: string): YAMLMap[] {
  const value = resolveNode(pair.value, ctx.doc);
  if (isMap(value)) return [value];
  const items = isSeq(value) ? value.items.map((item) => resolveNode(item, ctx.doc)) : [value];
  const maps = items.filter((item): item is YAMLMap => isMap(item));
  if (maps.length !== items.length) {
    const got = describeNode(items.find((item) => !isMap(item)));
    report(ctx, lineOf(ctx, value) ?? lineOf(ctx, resolveNode(pair.key, ctx.doc)), path,
      `"<<" merges a mapping or a list of mappings, got ${got}`);
  }
  return maps;
}
