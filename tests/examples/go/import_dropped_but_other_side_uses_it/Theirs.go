package report

import (
	"errors"
	"fmt"
	"io"
)

func Write(w io.Writer, name string, total int) error {
	_, err := fmt.Fprintf(w, "%s: %d\n", name, total)
	return err
}

func Check(total int) error {
	if total < 0 {
		return errors.New("negative total")
	}
	if total > 1e6 {
		return fmt.Errorf("total %d too large", total)
	}
	return nil
}
