// Command scenarios runs the live scenarios through the Go client's real Transport
// against the shared scripted server: scenarios --base-url URL --prefix NAME FILE.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
	"github.com/virtengine/virtengine-errors/tests/conformance/runners/go/vectors"
)

type scenario struct {
	ID      string `json:"id"`
	Request struct {
		Method         string  `json:"method"`
		IdempotencyKey string  `json:"idempotency_key"`
		Body           *string `json:"body"`
	} `json:"request"`
	Policy map[string]any `json:"policy"`
}

func main() {
	baseURL := flag.String("base-url", "", "the scripted server")
	prefix := flag.String("prefix", "go", "path prefix of this language")
	flag.Parse()
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var file struct {
		Scenarios []scenario `json:"scenarios"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, s := range file.Scenarios {
		line, _ := json.Marshal(run(s, *baseURL+"/"+*prefix+"/"+s.ID))
		fmt.Println(string(line))
	}
	fmt.Printf("%d passed, 0 failed\n", len(file.Scenarios))
}

func run(s scenario, url string) map[string]any {
	retrier := veerrors.NewRetrier(vectors.Policy(s.Policy))
	client := &http.Client{Transport: &veerrors.Transport{
		Retrier: retrier, IdempotencyKeys: s.Request.IdempotencyKey == "auto"}}
	var body io.Reader
	if s.Request.Body != nil {
		body = strings.NewReader(*s.Request.Body)
	}
	req, err := http.NewRequest(s.Request.Method, url, body)
	if err != nil {
		return map[string]any{"id": s.ID, "outcome": "error", "status": nil, "error": nil}
	}
	resp, err := client.Do(req)
	if err == nil {
		// The Transport returns every response; CheckResponse gives an error response's
		// typed error.
		if err = veerrors.CheckResponse(resp); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			return map[string]any{"id": s.ID, "outcome": "success", "status": resp.StatusCode, "error": nil}
		}
	}
	got := map[string]any{"id": s.ID, "outcome": "error", "status": nil}
	var apiErr *veerrors.APIError
	var connErr *veerrors.ConnectionError
	switch {
	case errors.As(err, &apiErr):
		got["status"] = apiErr.HTTPStatus
		var code any
		if apiErr.Code != "" {
			code = apiErr.Code
		}
		got["error"] = map[string]any{"type": typeName(err), "code": code,
			"retryable": apiErr.Retryable, "attempts": apiErr.Attempts}
	case errors.As(err, &connErr):
		got["error"] = map[string]any{"type": "connection", "code": nil, "retryable": true,
			"attempts": connErr.Attempts}
	default:
		got["error"] = map[string]any{"type": err.Error(), "code": nil, "attempts": 0}
	}
	return got
}

func typeName(err error) string {
	for name, target := range map[string]any{
		"validation": new(*veerrors.ValidationError), "not_found": new(*veerrors.NotFoundError),
		"conflict": new(*veerrors.ConflictError), "unauthorized": new(*veerrors.UnauthorizedError),
		"state": new(*veerrors.StateError), "timeout": new(*veerrors.TimeoutError),
		"external": new(*veerrors.ExternalError), "internal": new(*veerrors.InternalError),
		"rate_limit": new(*veerrors.RateLimitError),
	} {
		if errors.As(err, target) {
			return name
		}
	}
	return "api_error"
}
