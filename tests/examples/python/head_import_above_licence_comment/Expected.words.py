<<<<<<< ours
import io
||||||| base
=======
# Copyright 2024 The Demo Authors.
# SPDX-License-Identifier: Apache-2.0

>>>>>>> theirs
import json


def load(path):
    with io.open(path) as f:
        return json.load(f)
