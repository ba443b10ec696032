from pkg.util import (
    alpha,
    gamma,
    zeta,
)


def run():
    return alpha() + gamma()


def other():
    return zeta()
