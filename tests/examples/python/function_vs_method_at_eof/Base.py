import math


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.dist(a, b)


class Point:
    def __init__(self, x: float, y: float) -> None:
        self.x = x
        self.y = y

    def norm(self) -> float:
        return math.hypot(self.x, self.y)
