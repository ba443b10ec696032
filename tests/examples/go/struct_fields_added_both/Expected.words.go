package cache

import "time"

type Entry struct {
	Key       string
	Value     []byte
	ExpiresAt time.Time
	Hits      int
	Size      int64
}

func (e Entry) Expired(now time.Time) bool {
	return !e.ExpiresAt.IsZero() && now.After(e.ExpiresAt)
}
