import warnings

from .store import Cache as _Cache
from .store import Index as _Index


def lookup(key):
    return _Cache.default().get(key)


from ._compat import moved

moved(__name__, {".store": ["Cache", "Index"]}, "2.0")
del moved
