package demo

import "fmt"

func Hello() {
	fmt.Println("hi")
}
