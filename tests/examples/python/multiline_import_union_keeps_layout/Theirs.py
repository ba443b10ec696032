from pkg.util import (
    alpha,
    beta,
    gamma,
    zeta,
)


def run():
    return alpha() + beta() + gamma()


def other():
    return zeta()
