// Copyright 2024 The Demo Authors.

// Package demo says hello.
package demo

import (
	"fmt"
	"os"
)

func Hello() {
	fmt.Fprintln(os.Stderr, "hi")
}
