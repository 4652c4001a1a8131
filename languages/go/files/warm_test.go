// Compiled once when the image is built, to fill the Go build cache that every compilation
// starts from (a copy of it): the test runner's packages and testify's, as McEval's Go tests use.
package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func words(s string) []string {
	out := strings.Fields(s)
	sort.Strings(out)
	return out
}

func TestWords(t *testing.T) {
	assert := assert.New(t)
	assert.Equal([]string{"a", "b"}, words("b a"))
	fmt.Println("ok")
}
