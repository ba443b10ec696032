import { Client } from "./client";

export function connect(url: string): Client {
  return new Client(url);
}

/** @deprecated use connect() */
export function open(url: string): Client {
  console.warn("open() is deprecated, use connect()");
  const client = new Client(url);
  client.start();
  return client;
}
