call(
  alpha,
  beta,
  gamma
);
