# Copyright 2024 The Demo Authors.
# SPDX-License-Identifier: Apache-2.0

import json


def load(path):
    with open(path) as f:
        return json.load(f)
