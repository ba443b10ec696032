export function add(a, b) {
  return a + b;
}

export function mul(a, b) {
  return a * b;
}

export function neg(a) {
  return -a;
}

export function total(xs) {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}
