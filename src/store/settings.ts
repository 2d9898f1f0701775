// The runner's settings from the repository's git config (ci.*; git also reads the global and
// system config, so an administrator can set host-wide values there), with defaults and clear
// messages for values that do not parse.
import os from 'node:os';
import { parseDuration } from '../pipeline/duration.js';
import { parseSize } from '../pipeline/size.js';
import type { JobLimits } from '../pipeline/types.js';

export type SandboxMode = 'auto' | 'strict' | 'off';

export interface RunnerSettings {
  /** Job slots for this repository. */
  concurrency: number;
  /** Job slots across every repository on this machine. */
  hostConcurrency: number;
  /** Default job timeout, ms. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL, ms. */
  killGraceMs: number;
  /** How long an idle runner waits for new work before it exits, ms. */
  idleMs: number;
  /** Build pushed tags too. */
  tags: boolean;
  /** auto: use the layers the probe finds; strict: refuse to run jobs when one is missing; off: none. */
  sandbox: SandboxMode;
  /** First uid of the per-slot unprivileged uids (when the runner is root). */
  uidBase: number;
  /** A job log's cap, bytes: past it the log keeps its head and tail. */
  maxLogBytes: number;
  /** The most one job's artifacts may take, bytes: past it none are stored. */
  maxArtifactBytes: number;
  /** ci.secret.<name> values, by lower-cased name (git config lower-cases the last part of a key). */
  secrets: Map<string, string>;
  /** Retention (`git ci gc`): run records kept per branch. */
  gcKeepRuns: number;
  /** Retention: artifacts of runs older than this are deleted, ms. */
  gcKeepArtifactsMs: number;
  /** Retention runs by itself after this many recorded runs (ci.gc.auto; 0: never). */
  gcAuto: number;
  /** Retention: unreachable objects older than this are dropped (`git gc --prune=`, git's date syntax). */
  gcPruneExpire: string;
  /** The most a job may ask for (ci.limits.<key>). */
  limitsMax: Required<JobLimits>;
  /** What a job gets when it asks for nothing (ci.limits.<key>Default, at most the maximum). */
  limitsDefault: Required<JobLimits>;
}

/** The defaults `git ci install` writes into a repository's config. */
export const CONFIG_DEFAULTS: Record<string, string> = {
  'ci.concurrency': 'auto',
  'ci.timeout': '1h',
  'ci.killGrace': '5s',
  'ci.runnerIdle': '10s',
  'ci.tags': 'false',
  'ci.sandbox': 'auto',
};

const GiB = 1024 * 1024 * 1024;

/** Server maxima when ci.limits.* says nothing: generous, but a runaway job cannot take the host. */
export function builtinLimits(): Required<JobLimits> {
  return {
    memory: Math.min(8 * GiB, Math.floor(os.totalmem() / 2)),
    procs: 1024,
    cpuSeconds: 2 * 3600,
    filesize: 8 * GiB,
    nofile: 8192,
  };
}

export interface SettingsResult {
  settings: RunnerSettings;
  /** `ci.key: message` for each value that did not parse (its default was used). */
  warnings: string[];
}

/** Reads settings from the ci.* config map (keys lower-cased, as git reports them). */
export function readSettings(config: Map<string, string>): SettingsResult {
  const warnings: string[] = [];
  const raw = (key: string) => config.get(key.toLowerCase());
  const duration = (key: string, fallback: string): number => {
    const ms = parseDuration(raw(key) ?? fallback);
    if (ms === undefined) {
      warnings.push(`${key}: expected a duration like 30s, 10m or 1h, got ${JSON.stringify(raw(key))}; using ${fallback}`);
      return parseDuration(fallback)!;
    }
    return ms;
  };
  const count = (key: string, fallback: number, allowAuto = false, allowZero = false): number => {
    const value = raw(key);
    if (value === undefined || (allowAuto && value === 'auto')) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && (n > 0 || (allowZero && n === 0))) return n;
    warnings.push(`${key}: expected a whole number ${allowZero ? '(0 or more)' : 'above 0'}${allowAuto ? ' or "auto"' : ''}, got ${JSON.stringify(value)}; using ${fallback}`);
    return fallback;
  };
  const size = (key: string, fallback: number): number => {
    const value = raw(key);
    if (value === undefined) return fallback;
    const n = parseSize(value);
    if (n !== undefined) return n;
    warnings.push(`${key}: expected a size like 512M or 2G, got ${JSON.stringify(value)}; using ${fallback} bytes`);
    return fallback;
  };
  const cores = os.availableParallelism();
  const builtin = builtinLimits();
  const limitsMax: Required<JobLimits> = {
    memory: size('ci.limits.memory', builtin.memory),
    procs: count('ci.limits.procs', builtin.procs),
    cpuSeconds: Math.ceil(duration('ci.limits.cpu', `${builtin.cpuSeconds}s`) / 1000),
    filesize: size('ci.limits.filesize', builtin.filesize),
    nofile: count('ci.limits.nofile', builtin.nofile),
  };
  const limitsDefault: Required<JobLimits> = {
    memory: Math.min(limitsMax.memory, size('ci.limits.memoryDefault', limitsMax.memory)),
    procs: Math.min(limitsMax.procs, count('ci.limits.procsDefault', limitsMax.procs)),
    cpuSeconds: Math.min(limitsMax.cpuSeconds, Math.ceil(duration('ci.limits.cpuDefault', `${limitsMax.cpuSeconds}s`) / 1000)),
    filesize: Math.min(limitsMax.filesize, size('ci.limits.filesizeDefault', limitsMax.filesize)),
    nofile: Math.min(limitsMax.nofile, count('ci.limits.nofileDefault', limitsMax.nofile)),
  };
  const rawSandbox = (raw('ci.sandbox') ?? 'auto').toLowerCase();
  let sandbox: SandboxMode = 'auto';
  if (rawSandbox === 'auto' || rawSandbox === 'strict' || rawSandbox === 'off') sandbox = rawSandbox;
  else warnings.push(`ci.sandbox: expected auto, strict or off, got ${JSON.stringify(rawSandbox)}; using auto`);
  return {
    settings: {
      concurrency: count('ci.concurrency', cores, true),
      hostConcurrency: count('ci.hostConcurrency', cores, true),
      timeoutMs: duration('ci.timeout', '1h'),
      killGraceMs: duration('ci.killGrace', '5s'),
      idleMs: duration('ci.runnerIdle', '10s'),
      tags: ['true', 'yes', 'on', '1'].includes((raw('ci.tags') ?? 'false').toLowerCase()),
      sandbox,
      uidBase: count('ci.sandbox.uidBase', 64000),
      maxLogBytes: size('ci.maxLogBytes', 16 * 1024 * 1024),
      maxArtifactBytes: size('ci.maxArtifactBytes', GiB),
      gcKeepRuns: count('ci.gc.keepRuns', 100),
      gcKeepArtifactsMs: duration('ci.gc.keepArtifacts', '30d'),
      gcAuto: count('ci.gc.auto', 0, false, true),
      gcPruneExpire: raw('ci.gc.pruneExpire') ?? '1.hour.ago',
      secrets: new Map([...config].filter(([k]) => k.startsWith('ci.secret.')).map(([k, v]) => [k.slice('ci.secret.'.length), v])),
      limitsMax,
      limitsDefault,
    },
    warnings,
  };
}
