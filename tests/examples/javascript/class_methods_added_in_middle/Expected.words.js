export class EventBus {
  constructor() {
    this.handlers = new Map();
  }

  on(name, handler) {
    const list = this.handlers.get(name) || [];
    list.push(handler);
    this.handlers.set(name, list);
  }

  off(name, handler) {
    const list = this.handlers.get(name) || [];
    this.handlers.set(name, list.filter((h) => h !== handler));
  }

  once(name, handler) {
    const wrapper = (payload) => {
      this.off(name, wrapper);
      handler(payload);
    };
    this.on(name, wrapper);
  }

  emit(name, payload) {
    for (const handler of this.handlers.get(name) || []) {
      handler(payload);
    }
  }

  clear() {
    this.handlers.clear();
  }
}
