// Copyright 2024 The Demo Authors.

// Package demo says hello.
package demo

import "fmt"

func Hello() {
	fmt.Println("hi")
}
