// Fixture for tests/unit/go/pclntab-test.c, which hard-codes the line numbers
// marked below: if a marked line moves, update the LINE_* constants there.
package main

import "fmt"

//go:noinline
func leaf(x int) int {
	return x*3 + 1 // LINE_LEAF 9
}

// twice is inlined into compute (check with go build -gcflags=-m).
func twice(x int) int {
	return leaf(x) + x // LINE_TWICE 14
}

//go:noinline
func compute(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += twice(i) // LINE_CALL 21
	}
	return s
}

func worker(ch chan<- int, n int) {
	ch <- compute(n)
}

func main() { // LINE_MAIN 30
	ch := make(chan int)
	go worker(ch, 10)
	fmt.Println(<-ch)
} // LINE_MAIN_END 34
