export function total(xs) {
  return xs.reduce(add, 0);
}

export function add(a, b) {
  return a + b;
}

export function mul(a, b) {
  return a * b;
}

export function neg(a) {
  return -a;
}
