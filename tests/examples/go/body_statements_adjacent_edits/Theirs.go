package retry

import "time"

func Do(attempts int, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
		if i == attempts-1 {
			break
		}
		time.Sleep(time.Duration(i) * 100 * time.Millisecond)
	}
	return err
}
