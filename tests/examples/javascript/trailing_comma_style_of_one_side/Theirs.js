call(
  alphaTwo,
  beta,
);
