#!/usr/bin/env python3
# -*- coding: utf-8 -*-
import os


def main():
    print(os.getcwd())


main()
