import sys
import os


def main():
    print(os.getcwd(), sys.argv)


main()
