// Command bench measures the Go client: decoding a typical envelope against
// encoding/json into a struct, and a request through the retrying Transport against
// the bare http.Transport on loopback. It prints one JSON line.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

var envelope = []byte(`{"error":{"code":"veid:1036","message":"ML inference failed","category":"internal",` +
	`"severity":"critical","retryable":true,"context":{"component":"inference","model":"face-v3"}}}`)

type plainEnvelope struct {
	Error struct {
		Code      string         `json:"code"`
		Message   string         `json:"message"`
		Category  string         `json:"category"`
		Severity  string         `json:"severity"`
		Retryable bool           `json:"retryable"`
		Context   map[string]any `json:"context"`
	} `json:"error"`
}

// perOp runs f in rounds until about 300 ms have passed, returning the best ns per op.
func perOp(f func()) float64 {
	best := 0.0
	for round := 0; round < 5; round++ {
		n, started := 0, time.Now()
		for time.Since(started) < 60*time.Millisecond {
			f()
			n++
		}
		ns := float64(time.Since(started).Nanoseconds()) / float64(n)
		if best == 0 || ns < best {
			best = ns
		}
	}
	return best
}

func request(client *http.Client, url string) {
	resp, err := client.Get(url)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func main() {
	header := http.Header{"Content-Type": {"application/json"}}
	now := time.Now()
	decode := perOp(func() { _ = veerrors.DecodeError(500, header, envelope, now) })
	parse := perOp(func() {
		var e plainEnvelope
		_ = json.Unmarshal(envelope, &e)
	})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer server.Close()
	bare := &http.Client{Transport: &http.Transport{}}
	retrying := &http.Client{Transport: &veerrors.Transport{Base: &http.Transport{},
		Retrier: veerrors.NewRetrier(veerrors.DefaultPolicy())}}
	var bareNs, transportNs float64
	for round := 0; round < 3; round++ { // alternate, keep the best of each
		b := perOp(func() { request(bare, server.URL) })
		t := perOp(func() { request(retrying, server.URL) })
		if round == 0 || b < bareNs {
			bareNs = b
		}
		if round == 0 || t < transportNs {
			transportNs = t
		}
	}
	line, _ := json.Marshal(map[string]any{"language": "go", "decode_ns": decode, "json_parse_ns": parse,
		"bare_request_ns": bareNs, "transport_request_ns": transportNs})
	fmt.Println(string(line))
}
