import pino, { type Logger } from 'pino';

/** Structured JSON logs on stdout. Customer text is never logged; auth headers are redacted defensively. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'camsupport-bot' },
    redact: { paths: ['req.headers.authorization', '*.password', '*.MicrosoftAppPassword', '*.text'], censor: '[redacted]' },
  });
}
