package server

import (
	"net/http"
	"time"

	"github.com/example/kit/log"
)

func NewServer(addr string, h http.Handler) *http.Server {
	log.Info("listening", "addr", addr)
	srv := &http.Server{
		Addr:         addr,
		Handler:      h,
		ReadTimeout:  5 * time.Second,
		WriteTimeout: 10 * time.Second,
	}
	return srv
}
