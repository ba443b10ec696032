setup(
    name="demo-app",
    version="1.0.0",
<<<<<<< ours
    packages=["demo"],
    zip_safe=False
||||||| base
    packages=["demo"]
=======
    packages=["demo"],
>>>>>>> theirs
)
