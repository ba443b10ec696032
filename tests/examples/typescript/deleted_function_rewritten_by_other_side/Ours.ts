import { Client } from "./client";

export function connect(url: string): Client {
  return new Client(url);
}
