package demo

import (
	"fmt"
	"os"
)

func Hello() {
	fmt.Fprintln(os.Stderr, "hi")
}
