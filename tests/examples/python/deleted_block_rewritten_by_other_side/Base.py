import warnings

from .store import Cache as _Cache
from .store import Index as _Index


def lookup(key):
    return _Cache.default().get(key)


class Cache(_Cache):
    def __init__(self, *args, **kwargs):
        warnings.warn("Cache moved to store.Cache", DeprecationWarning, stacklevel=2)
        super().__init__(*args, **kwargs)


class Index(_Index):
    def __init__(self, *args, **kwargs):
        warnings.warn("Index moved to store.Index", DeprecationWarning, stacklevel=2)
        super().__init__(*args, **kwargs)
