package names

import "strings"

func trimAll(parts []string) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

func Split(line string) []string {
	return trimAll(strings.Split(line, ","))
}

func Join(parts []string) string {
	return strings.Join(parts, ",")
}
