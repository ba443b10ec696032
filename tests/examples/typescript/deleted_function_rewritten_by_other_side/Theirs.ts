import { Client } from "./client";

export function connect(url: string): Client {
  return new Client(url);
}

/** @deprecated use connect(); removed in 3.0 */
export const open = deprecate(connect, "open() is deprecated, use connect()");
