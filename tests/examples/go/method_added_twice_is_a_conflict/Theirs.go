package store

type Store struct {
	items map[string]int
}

func (s *Store) Get(k string) int {
	return s.items[k]
}

func (s *Store) Keys() []string {
	out := []string{}
	for k := range s.items {
		out = append(out, k)
	}
	return out
}

func (s *Store) Reset() {
	clear(s.items)
}
