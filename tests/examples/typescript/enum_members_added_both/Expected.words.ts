export enum LogLevel {
  Debug = 'debug',
  Info = 'info',
  Warn = 'warn',
  Error = 'error',
  Trace = 'trace',
}

export function parseLevel(value: string): LogLevel {
  const found = Object.values(LogLevel).find((level) => level === value);
  return found ?? LogLevel.Info;
}
