import { parseDocument, LineCounter, isMap, isScalar } from 'yaml';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { closestKey } from './closest-key.js';
import { cliFlagFor, envNameFor } from './names.js';

/** Where each layer of configuration comes from; the caller does the I/O. */
export interface ConfigSources {
  /** YAML text of the config file and the path to show in messages. */
  file?: { text: string; path: string };
  env?: Readonly<Record<string, string | undefined>>;
  argv?: readonly string[];
}

export interface LoadedConfig<T> {
  config: Readonly<T>;
  /** For every key that did not come from a schema default: where its value came from. */
  origins: Readonly<Record<string, string>>;
}

type Kind = 'number' | 'boolean' | 'string' | 'string[]' | 'other';

/**
 * Builds a config from schema defaults, then the YAML file, then env `CONVENE_<APP>_*`,
 * then CLI flags, validates it, and throws one ConfigError listing every problem.
 */
export function loadConfig<S extends z.ZodObject>(
  app: string,
  schema: S,
  sources: ConfigSources,
): LoadedConfig<z.infer<S>> {
  const keys = Object.keys(schema.shape);
  const raw: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  const problems: ConfigProblem[] = [];

  if (sources.file !== undefined) readFile(sources.file, keys, raw, origins, problems);
  readEnv(app, schema, keys, sources.env ?? {}, raw, origins, problems);
  readArgv(schema, keys, sources.argv ?? [], raw, origins, problems);

  const result = schema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.map(String).join('.');
      const top = String(issue.path[0] ?? '');
      const fromDefault = issue.code !== 'custom' && issue.input !== undefined;
      const origin = origins[top] ?? (fromDefault ? 'default' : undefined);
      problems.push({ key, message: describeIssue(app, top, issue), origin });
    }
  }
  if (problems.length > 0) throw new ConfigError(app, problems);
  return { config: Object.freeze(result.data as z.infer<S>), origins };
}

/** The config file path given by `--config PATH` or env `CONVENE_<APP>_CONFIG`, if any. */
export function configPathFrom(
  app: string,
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
): { path: string; origin: string } | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--config' && argv[i + 1] !== undefined) return { path: argv[i + 1] as string, origin: '--config' };
    if (arg.startsWith('--config=')) return { path: arg.slice('--config='.length), origin: '--config' };
  }
  const name = envNameFor(app, 'config');
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== '') return { path: fromEnv, origin: `env ${name}` };
  return undefined;
}

function readFile(
  file: { text: string; path: string },
  keys: readonly string[],
  raw: Record<string, unknown>,
  origins: Record<string, string>,
  problems: ConfigProblem[],
): void {
  const counter = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = counter.linePos(err.pos[0]);
      problems.push({
        key: '(file)',
        message: err.message.split('\n')[0] ?? 'syntax error',
        origin: `${file.path} line ${pos.line}`,
      });
    }
    return;
  }
  if (doc.contents === null) return; // an empty file sets nothing
  if (!isMap(doc.contents)) {
    problems.push({ key: '(file)', message: 'expected a mapping of keys to values', origin: file.path });
    return;
  }
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const line = isScalar(pair.key) && pair.key.range ? counter.linePos(pair.key.range[0]).line : 0;
    const where = `${file.path} line ${line}`;
    if (!keys.includes(key)) {
      problems.push({ key, message: unknownKey(key, keys), origin: where });
      continue;
    }
    raw[key] = pair.value === null ? null : (pair.value as { toJSON(): unknown }).toJSON();
    origins[key] = where;
  }
}

function readEnv(
  app: string,
  schema: z.ZodObject,
  keys: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  raw: Record<string, unknown>,
  origins: Record<string, string>,
  problems: ConfigProblem[],
): void {
  const prefix = envNameFor(app, '');
  const byEnv = new Map(keys.map((k) => [envNameFor(app, k), k]));
  const configVar = envNameFor(app, 'config');
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || name === configVar || value === undefined) continue;
    const key = byEnv.get(name);
    if (key === undefined) {
      const guess = closestKey(name, [...byEnv.keys()]);
      const hint = guess === undefined ? '' : `, did you mean ${guess}?`;
      problems.push({ key: name, message: `unknown environment variable${hint}`, origin: 'env' });
      continue;
    }
    raw[key] = coerce(kindOf(schema, key), value);
    origins[key] = `env ${name}`;
  }
}

function readArgv(
  schema: z.ZodObject,
  keys: readonly string[],
  argv: readonly string[],
  raw: Record<string, unknown>,
  origins: Record<string, string>,
  problems: ConfigProblem[],
): void {
  const byFlag = new Map(keys.map((k) => [cliFlagFor(k), k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      problems.push({ key: arg, message: 'unexpected argument', origin: 'command line' });
      continue;
    }
    const eq = arg.indexOf('=');
    let flag = eq === -1 ? arg : arg.slice(0, eq);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (flag === '--config') {
      if (value === undefined) i++;
      continue;
    }
    let negated = false;
    if (!byFlag.has(flag) && flag.startsWith('--no-') && byFlag.has(`--${flag.slice(5)}`)) {
      flag = `--${flag.slice(5)}`;
      negated = true;
    }
    const key = byFlag.get(flag);
    if (key === undefined) {
      const guess = closestKey(flag, [...byFlag.keys(), '--config']);
      const hint = guess === undefined ? '' : `, did you mean ${guess}?`;
      problems.push({ key: flag, message: `unknown option${hint}`, origin: 'command line' });
      if (value === undefined && argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith('--')) i++;
      continue;
    }
    const kind = kindOf(schema, key);
    if (kind === 'boolean' && value === undefined) {
      raw[key] = !negated;
    } else {
      if (value === undefined) {
        value = argv[i + 1];
        if (value === undefined) {
          problems.push({ key, message: `${flag} needs a value`, origin: 'command line' });
          continue;
        }
        i++;
      }
      raw[key] = coerce(kind, value);
    }
    origins[key] = flag;
  }
}

function unwrap(t: z.ZodType): z.ZodType {
  let cur: z.ZodType = t;
  for (;;) {
    if (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional || cur instanceof z.ZodNullable) {
      cur = cur.unwrap() as z.ZodType;
    } else if (cur instanceof z.ZodPipe) {
      cur = cur.in as z.ZodType;
    } else {
      return cur;
    }
  }
}

function kindOf(schema: z.ZodObject, key: string): Kind {
  const t = unwrap(schema.shape[key] as z.ZodType);
  if (t instanceof z.ZodNumber) return 'number';
  if (t instanceof z.ZodBoolean) return 'boolean';
  if (t instanceof z.ZodString || t instanceof z.ZodEnum) return 'string';
  if (t instanceof z.ZodArray) {
    const element = unwrap(t.element as z.ZodType);
    if (element instanceof z.ZodString || element instanceof z.ZodEnum) return 'string[]';
  }
  return 'other';
}

/** Turns an env/CLI string into the key's type; anything that does not fit stays a string for zod to reject. */
function coerce(kind: Kind, value: string): unknown {
  const v = value.trim();
  switch (kind) {
    case 'number':
      return /^[+-]?\d+(\.\d+)?$/.test(v) ? Number(v) : value;
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(v)) return true;
      if (/^(false|0|no|off)$/i.test(v)) return false;
      return value;
    case 'string[]':
      return v === '' ? [] : v.split(',').map((s) => s.trim());
    default:
      return value;
  }
}

function describeIssue(app: string, key: string, issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  if (input === undefined && issue.code === 'invalid_type') {
    return `required: set it in the config file, ${envNameFor(app, key)} or ${cliFlagFor(key)}`;
  }
  // A refinement over the whole object (e.g. "required in client mode") has the object as its input.
  const got = input === undefined || issue.code === 'custom' ? '' : `, got ${JSON.stringify(input)}`;
  return `${issue.message}${got}`;
}

function unknownKey(key: string, keys: readonly string[]): string {
  const guess = closestKey(key, keys);
  return guess === undefined ? 'unknown key' : `unknown key, did you mean ${guess}?`;
}

/**
 * The sources for `loadConfig` from env, argv and the config file they name; `readText` does the I/O (this
 * module does none). An unreadable file is a ConfigError naming the path and where it was named.
 */
export function configSources(
  app: string,
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
  readText: (path: string) => string,
): ConfigSources {
  const sources: ConfigSources = { env, argv };
  const named = configPathFrom(app, env, argv);
  if (named === undefined) return sources;
  try {
    sources.file = { text: readText(named.path), path: named.path };
  } catch (err) {
    const why = (err as { code?: string }).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(app, [{ key: 'config', message: `cannot read ${named.path}: ${why}`, origin: named.origin }]);
  }
  return sources;
}
