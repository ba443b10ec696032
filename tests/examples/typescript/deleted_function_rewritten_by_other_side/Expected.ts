import { Client } from "./client";

export function connect(url: string): Client {
  return new Client(url);
}
<<<<<<< ours
||||||| base

/** @deprecated use connect() */
export function open(url: string): Client {
  console.warn("open() is deprecated, use connect()");
  const client = new Client(url);
  client.start();
  return client;
}
=======

/** @deprecated use connect(); removed in 3.0 */
export const open = deprecate(connect, "open() is deprecated, use connect()");
>>>>>>> theirs
