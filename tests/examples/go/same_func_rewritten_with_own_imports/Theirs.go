package text

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Normalize lower-cases s and trims the spaces around it.
func Normalize(s string) string {
	return norm.NFC.String(strings.ToLower(strings.TrimSpace(s)))
}
