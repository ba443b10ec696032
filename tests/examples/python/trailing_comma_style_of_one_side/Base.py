setup(
    name="demo",
    version="1.0.0",
    packages=["demo"]
)
