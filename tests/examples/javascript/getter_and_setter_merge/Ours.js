export class Box {
  constructor(v) {
    this.v = v;
  }

  get size() {
    return this.v.length;
  }

  value() {
    return this.v;
  }

  double() {
    return 2 * this.v;
  }
}
