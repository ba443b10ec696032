import { Injectable } from './di';

@Injectable()
export class SessionStore {
  private readonly sessions = new Map<string, number>();

  touch(id: string): void {
    this.sessions.set(id, Date.now());
  }

  count(): number {
    return this.sessions.size;
  }
}
