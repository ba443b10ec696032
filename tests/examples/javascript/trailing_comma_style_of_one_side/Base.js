call(
  alpha,
  beta
);
