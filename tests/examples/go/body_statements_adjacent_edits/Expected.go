package retry

import "time"

func Do(attempts int, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
<<<<<<< ours
		time.Sleep(time.Duration(1<<i) * 100 * time.Millisecond)
||||||| base
		time.Sleep(time.Duration(i) * 100 * time.Millisecond)
=======
		if i == attempts-1 {
			break
		}
		time.Sleep(time.Duration(i) * 100 * time.Millisecond)
>>>>>>> theirs
	}
	return err
}
