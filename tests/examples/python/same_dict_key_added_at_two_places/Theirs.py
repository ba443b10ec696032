DEFAULTS = {
    "host": "127.0.0.1",
    "port": 8000,
    "workers": 2,
    "reload": False,
    "timeout": 120,
}
