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

  clear() {
    this.handlers.clear();
  }
}

export const bus = new EventBus();
