package text

import (
	"strings"
<<<<<<< ours
	"unicode"
||||||| base
=======

	"golang.org/x/text/unicode/norm"
>>>>>>> theirs
)

// Normalize lower-cases s and trims the spaces around it.
func Normalize(s string) string {
<<<<<<< ours
	return strings.ToLower(strings.TrimFunc(s, unicode.IsSpace))
||||||| base
	return strings.ToLower(strings.TrimSpace(s))
=======
	return norm.NFC.String(strings.ToLower(strings.TrimSpace(s)))
>>>>>>> theirs
}
