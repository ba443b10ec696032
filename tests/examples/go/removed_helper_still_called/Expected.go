package names

import "strings"

func Split(line string) []string {
	return strings.Fields(strings.ReplaceAll(line, ",", " "))
}

<<<<<<< ours
// Join puts the parts back on one line.
||||||| base
=======
func SplitLines(text string) []string {
	return trimAll(strings.Split(text, "\n"))
}

>>>>>>> theirs
func Join(parts []string) string {
	return strings.Join(parts, ",")
}
