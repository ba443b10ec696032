package names

import "strings"

func Split(line string) []string {
	return strings.Fields(strings.ReplaceAll(line, ",", " "))
}

// Join puts the parts back on one line.
func Join(parts []string) string {
	return strings.Join(parts, ",")
}
