call(
<<<<<<< ours
  alpha,
  beta,
  gamma
||||||| base
  alpha,
  beta
=======
  alphaTwo,
  beta,
>>>>>>> theirs
);
