DEFAULTS = {
    "host": "127.0.0.1",
    "timeout": 30,
    "port": 8000,
    "workers": 2,
    "reload": False,
    "timeout": 120,
}
