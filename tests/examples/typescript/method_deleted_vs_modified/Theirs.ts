import { Injectable } from './di';

@Injectable()
export class SessionStore {
  private readonly sessions = new Map<string, number>();

  touch(id: string): void {
    this.sessions.set(id, Date.now());
  }

  expire(maxAgeMs: number): number {
    const cutoff = Date.now() - maxAgeMs;
    let removed = 0;
    for (const [id, seen] of this.sessions) {
      if (seen <= cutoff) {
        this.sessions.delete(id);
        removed += 1;
      }
    }
    return removed;
  }

  count(): number {
    return this.sessions.size;
  }
}
