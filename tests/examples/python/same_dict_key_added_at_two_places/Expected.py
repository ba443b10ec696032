DEFAULTS = {
    "host": "127.0.0.1",
<<<<<<< ours
    "timeout": 30,
||||||| base
=======
>>>>>>> theirs
    "port": 8000,
    "workers": 2,
    "reload": False,
<<<<<<< ours
||||||| base
=======
    "timeout": 120,
>>>>>>> theirs
}
