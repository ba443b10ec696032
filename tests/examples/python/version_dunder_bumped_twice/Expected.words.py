"""Demo package."""

<<<<<<< ours
__version__ = "1.5.2"
||||||| base
__version__ = "1.4.2"
=======
__version__ = "1.4.3"
>>>>>>> theirs
__author__ = "Demo Team"
