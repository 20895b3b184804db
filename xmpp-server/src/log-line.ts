/** One line of Prosody's console log, e.g. `portmanager         info\tActivated service 'c2s'`. */
export interface ProsodyLogEntry {
  source: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

const LINE = /^(\S+)\s+(debug|info|warn|error)\t(.*)$/;

export function parseLogLine(line: string): ProsodyLogEntry | undefined {
  const trimmed = line.trimEnd();
  if (trimmed === '') return undefined;
  const m = LINE.exec(trimmed);
  if (m === null) return { source: 'prosody', level: 'info', message: trimmed };
  return { source: m[1] as string, level: m[2] as ProsodyLogEntry['level'], message: m[3] as string };
}
