package report

import (
	"fmt"
	"io"
)

func Write(w io.Writer, name string, total int) error {
	_, err := fmt.Fprintf(w, "%s: %d\n", name, total)
	return err
}
