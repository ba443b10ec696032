package config

import "os"

func loadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decode(data)
}

func MustLoad(path string) *Config {
	c, err := loadConfig(path)
	if err != nil {
		panic(err)
	}
	return c
}

// Default is the configuration used without a file.
func Default() *Config {
	return &Config{Port: 8000}
}
