/**
 * Structured JSON logs, one line per entry. Callers pass ids and codes, never names, emails,
 * tokens, API keys or document bytes: logs are not a place for personal data or secrets.
 */
export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const jsonLogger = (service: string, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger => {
  const log = (level: string) => (message: string, data?: Record<string, unknown>) =>
    write(JSON.stringify({ level, time: new Date().toISOString(), service, message, ...data }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
