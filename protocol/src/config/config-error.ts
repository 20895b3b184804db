import { ConveneError } from '../lib/errors.js';

/** One thing wrong with a configuration: the key, what is wrong, and where the value came from. */
export interface ConfigProblem {
  key: string;
  message: string;
  origin: string | undefined;
}

/** An invalid configuration; `message` is what the operator sees, one line per problem. */
export class ConfigError extends ConveneError {
  readonly problems: readonly ConfigProblem[];
  constructor(app: string, problems: readonly ConfigProblem[]) {
    super('invalid-config', formatProblems(app, problems));
    this.problems = problems;
  }
  /** The report without the code prefix, ready for stderr. */
  get report(): string {
    return this.message.slice(this.code.length + 2);
  }
}

function formatProblems(app: string, problems: readonly ConfigProblem[]): string {
  const line = (p: ConfigProblem) => `${p.key}: ${p.message}${p.origin === undefined ? '' : ` (${p.origin})`}`;
  if (problems.length === 1) return `convene-${app}: invalid configuration: ${line(problems[0] as ConfigProblem)}`;
  return [
    `convene-${app}: invalid configuration (${problems.length} problems)`,
    ...problems.map((p) => `  ${line(p)}`),
  ].join('\n');
}

/** Where a main reports a bad config: its stderr, and its exit (the caller passes `process`'s). */
export interface ConfigExit {
  stderr: { write(text: string): unknown };
  exit(code: number): never;
}

/** Runs `load`; a ConfigError prints its one-line-per-problem report and exits 2 (STYLE.md), anything else throws. */
export function loadOrExit<T>(load: () => T, io: ConfigExit): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`${err.report}\n`);
    return io.exit(2);
  }
}
