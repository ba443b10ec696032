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
}
