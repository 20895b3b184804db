import { pino, type Logger } from 'pino';

/** The root logger: JSON lines, or one readable line per event in a terminal. Secrets are redacted. */
export function createLogger(level: string, format: 'pretty' | 'json'): Logger {
  const redact = {
    paths: ['password', 'pwd', 'secret', 'token', '*.password', '*.secret', '*.pwd'],
    censor: '[redacted]',
  };
  if (format === 'json') return pino({ level, redact });
  return pino({
    level,
    redact,
    transport: {
      target: 'pino-pretty',
      options: { singleLine: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', messageKey: 'msg' },
    },
  });
}
