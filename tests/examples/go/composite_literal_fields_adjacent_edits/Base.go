package main

import (
	"log"
	"net/http"
	"time"
)

func main() {
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: http.DefaultTransport,
	}
	resp, err := client.Get("https://example.com/health")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	log.Println(resp.Status)
}
