package text

import (
	"strings"
)

// Normalize lower-cases s and trims the spaces around it.
func Normalize(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
