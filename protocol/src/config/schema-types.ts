import { z } from 'zod';

/** A TCP/UDP port, with the message an operator sees when it is wrong. */
export const Port = z
  .number({ error: 'expected a port number 1..65535' })
  .int({ error: 'expected a port number 1..65535' })
  .min(1, { error: 'expected a port number 1..65535' })
  .max(65535, { error: 'expected a port number 1..65535' });

/** A secret: no default, never empty. */
export const Secret = z.string({ error: 'expected a non-empty string' }).min(1, { error: 'must not be empty' });

/** A DNS domain such as `meet.localhost`. */
export const Domain = z
  .string({ error: 'expected a domain name' })
  .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
    error: 'expected a lowercase domain name like meet.example.com',
  });

export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], {
  error: 'expected one of fatal, error, warn, info, debug, trace',
});

/** An allow-list entry for a service's real JID: a full JID, a bare JID (any resource) or a domain (any JID there). */
export const JidPattern = z
  .string({ error: 'expected a JID or a domain' })
  .regex(/^([^@/\s"'<>&]+@)?[^@/\s"'<>&]+(\/[^\s]+)?$/, {
    error: 'expected a JID (user@domain, user@domain/resource) or a domain',
  });
