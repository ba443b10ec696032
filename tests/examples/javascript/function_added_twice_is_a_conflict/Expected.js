<<<<<<< ours
export function total(xs) {
  return xs.reduce(add, 0);
}
||||||| base
=======
>>>>>>> theirs

export function add(a, b) {
  return a + b;
}

export function mul(a, b) {
  return a * b;
}

export function neg(a) {
  return -a;
}

<<<<<<< ours
||||||| base
=======
export function total(xs) {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}
>>>>>>> theirs
