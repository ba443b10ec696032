export class Box {
  constructor(v) {
    this.v = v;
  }

  value() {
    return this.v;
  }

  double() {
    return 2 * this.v;
  }

  set size(n) {
    this.v = this.v.slice(0, n);
  }
}
