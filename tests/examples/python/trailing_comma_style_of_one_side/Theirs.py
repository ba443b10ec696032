setup(
    name="demo-app",
    version="1.0.0",
    packages=["demo"],
)
