"""The ranking: the candidate methods, the hand and the learned ranker (its signals and
trees), and the policies that say which candidate may be written unasked."""
