package server

import (
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/example/kit/log"
)

func NewServer(addr string, h http.Handler) *http.Server {
	if !strings.Contains(addr, ":") {
		addr += ":8080"
	}
	log.Info("listening", "addr", addr)
	srv := &http.Server{
		Addr:         addr,
		Handler:      h,
		ReadTimeout:  5 * time.Second,
		WriteTimeout: 10 * time.Second,
	}
	srv.SetKeepAlivesEnabled(os.Getenv("HTTP_NO_KEEPALIVE") == "")
	return srv
}
