package report

import (
	"io"
	"strconv"
)

func Write(w io.Writer, name string, total int) error {
	_, err := io.WriteString(w, name+": "+strconv.Itoa(total)+"\n")
	return err
}
