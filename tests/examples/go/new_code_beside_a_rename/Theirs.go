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

func LoadOrDefault(path string) *Config {
	if data, err := os.ReadFile(path); err == nil {
		if c, err := decode(data); err == nil {
			return c
		}
	}
	return Default()
}

func Default() *Config {
	return &Config{Port: 8080}
}
