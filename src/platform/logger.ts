import { pino, type Logger } from 'pino';

export type { Logger };
import type { Config } from './config.js';

/** Structured JSON logs on stderr, so stdout stays free for command output. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'migstat' } }, pino.destination(2));
}
