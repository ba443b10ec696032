package config

type Database struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	User     string `json:"username"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

func (d Database) Valid() bool {
	return d.Host != "" && d.Port > 0
}
