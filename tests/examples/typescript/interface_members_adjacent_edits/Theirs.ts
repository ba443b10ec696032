export interface RetryOptions {
  attempts: number;
  delayMs: number;
  factor?: number;
  maxDelayMs: number;
}

export const defaultRetry: RetryOptions = {
  attempts: 3,
  delayMs: 200,
  factor: 2,
  maxDelayMs: 5000,
};
