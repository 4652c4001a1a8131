// Compiled once when the image is built (see warm_test.go): a plain program's packages.
package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

func main() {
	fmt.Println(strings.Repeat(strconv.Itoa(int(math.Sqrt(16))), 2))
}
