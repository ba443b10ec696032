from pkg.util import (
    alpha,
    beta,
    gamma,
)


def run():
    return alpha() + beta() + gamma()
