<<<<<<< ours
import sys
||||||| base
=======
#!/usr/bin/env python3
# -*- coding: utf-8 -*-
>>>>>>> theirs
import os


def main():
    print(os.getcwd(), sys.argv)


main()
