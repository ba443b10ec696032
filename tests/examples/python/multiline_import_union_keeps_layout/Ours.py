from pkg.util import (
    alpha,
    gamma,
)


def run():
    return alpha() + gamma()
