package text

import (
	"strings"
	"unicode"
)

// Normalize lower-cases s and trims the spaces around it.
func Normalize(s string) string {
	return strings.ToLower(strings.TrimFunc(s, unicode.IsSpace))
}
