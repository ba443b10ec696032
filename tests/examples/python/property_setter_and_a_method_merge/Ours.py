class Shape:
    def __init__(self, w):
        self._w = w

    @property
    def width(self):
        return self._w

    @width.setter
    def width(self, w):
        self._w = w

    def area(self):
        return self._w * self._w
