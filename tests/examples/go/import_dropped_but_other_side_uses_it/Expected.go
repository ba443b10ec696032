package report

import (
<<<<<<< ours
||||||| base
	"fmt"
=======
	"errors"
	"fmt"
>>>>>>> theirs
	"io"
	"strconv"
)

func Write(w io.Writer, name string, total int) error {
	_, err := io.WriteString(w, name+": "+strconv.Itoa(total)+"\n")
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
