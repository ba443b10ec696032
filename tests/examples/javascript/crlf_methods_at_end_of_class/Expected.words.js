export class EventBus {
  constructor() {
    this.handlers = new Map();
  }

  on(name, handler) {
    const list = this.handlers.get(name) ?? [];
    list.push(handler);
    this.handlers.set(name, list);
  }

  emit(name, payload) {
    for (const handler of this.handlers.get(name) ?? []) {
      handler(payload);
    }
  }

  off(name, handler) {
    const list = this.handlers.get(name) ?? [];
    this.handlers.set(name, list.filter((h) => h !== handler));
  }

  clear() {
    this.handlers.clear();
  }
}

export const bus = new EventBus();
