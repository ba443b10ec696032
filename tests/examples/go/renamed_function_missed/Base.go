package config

import "os"

func parseConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decode(data)
}

func MustLoad(path string) *Config {
	c, err := parseConfig(path)
	if err != nil {
		panic(err)
	}
	return c
}

func Default() *Config {
	return &Config{Port: 8080}
}
