// The runner's settings from the repository's git config (ci.*), with defaults and clear
// messages for values that do not parse.
import os from 'node:os';
import { parseDuration } from '../pipeline/duration.js';

export interface RunnerSettings {
  /** Job slots for this repository. */
  concurrency: number;
  /** Default job timeout, ms. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL, ms. */
  killGraceMs: number;
  /** How long an idle runner waits for new work before it exits, ms. */
  idleMs: number;
  /** Build pushed tags too. */
  tags: boolean;
}

/** The defaults `git ci install` writes into a repository's config. */
export const CONFIG_DEFAULTS: Record<string, string> = {
  'ci.concurrency': 'auto',
  'ci.timeout': '1h',
  'ci.killGrace': '5s',
  'ci.runnerIdle': '10s',
  'ci.tags': 'false',
};

export interface SettingsResult {
  settings: RunnerSettings;
  /** `ci.key: message` for each value that did not parse (its default was used). */
  warnings: string[];
}

/** Reads settings from the ci.* config map (keys lower-cased, as git reports them). */
export function readSettings(config: Map<string, string>): SettingsResult {
  const warnings: string[] = [];
  const duration = (key: string, fallback: string): number => {
    const raw = config.get(key.toLowerCase());
    const ms = parseDuration(raw ?? fallback);
    if (ms === undefined) {
      warnings.push(`${key}: expected a duration like 30s, 10m or 1h, got ${JSON.stringify(raw)}; using ${fallback}`);
      return parseDuration(fallback)!;
    }
    return ms;
  };
  const rawConcurrency = config.get('ci.concurrency') ?? 'auto';
  let concurrency = os.availableParallelism();
  if (rawConcurrency !== 'auto') {
    const n = Number(rawConcurrency);
    if (Number.isInteger(n) && n > 0) concurrency = n;
    else warnings.push(`ci.concurrency: expected a whole number above 0 or "auto", got ${JSON.stringify(rawConcurrency)}; using ${concurrency}`);
  }
  const rawTags = (config.get('ci.tags') ?? 'false').toLowerCase();
  return {
    settings: {
      concurrency,
      timeoutMs: duration('ci.timeout', '1h'),
      killGraceMs: duration('ci.killGrace', '5s'),
      idleMs: duration('ci.runnerIdle', '10s'),
      tags: ['true', 'yes', 'on', '1'].includes(rawTags),
    },
    warnings,
  };
}
