package config

type Database struct {
	Host     string `json:"host"`
	Port     int    `json:"port,omitempty"`
	User     string `json:"user"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

func (d Database) Valid() bool {
	return d.Host != "" && d.Port > 0
}
