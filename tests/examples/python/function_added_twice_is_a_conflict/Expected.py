<<<<<<< ours
def exists(path):
    import os
    return os.path.exists(path)
||||||| base
=======
>>>>>>> theirs


def load(path):
    with open(path) as f:
        return f.read()


def save(path, text):
    with open(path, 'w') as f:
        f.write(text)


<<<<<<< ours
||||||| base
=======
def exists(path):
    from pathlib import Path
    return Path(path).exists()
>>>>>>> theirs
