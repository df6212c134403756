package veerrors_test

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// platformShape is an error response as the platform's servers send it, from
// benchmarks/shapes.json (the shapes the decode benchmark of nox -s bench measures).
type platformShape struct {
	name   string
	status int
	header http.Header
	body   []byte
}

func platformShapes(tb testing.TB) ([]platformShape, time.Time) {
	tb.Helper()
	data, err := os.ReadFile("../../../benchmarks/shapes.json")
	if err != nil {
		tb.Fatal(err)
	}
	var file struct {
		NowMs  int64 `json:"now_ms"`
		Shapes []struct {
			Shape   string            `json:"shape"`
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    string            `json:"body"`
		} `json:"shapes"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		tb.Fatal(err)
	}
	var shapes []platformShape
	for _, s := range file.Shapes {
		header := http.Header{}
		for name, value := range s.Headers {
			header.Set(name, value)
		}
		shapes = append(shapes, platformShape{s.Shape, s.Status, header, []byte(s.Body)})
	}
	if len(shapes) == 0 {
		tb.Fatal("benchmarks/shapes.json lists no shapes")
	}
	return shapes, time.UnixMilli(file.NowMs)
}

// BenchmarkDecodeError decodes each of the platform's shapes:
// go test -run '^$' -bench DecodeError -benchmem
func BenchmarkDecodeError(b *testing.B) {
	shapes, now := platformShapes(b)
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_ = veerrors.DecodeError(s.status, s.header, s.body, now)
			}
		})
	}
}

// TestDecodingThePlatformsShapesAllocatesLittle holds the decoder to the allocations it
// makes on each shape: the error itself (*APIError and its category type), the body as a
// string, and what the caller gets beyond them (a code joined from the gateway's text,
// the context of an envelope or a rate-limit body).
func TestDecodingThePlatformsShapesAllocatesLittle(t *testing.T) {
	budgets := map[string]float64{"envelope": 7, "gateway": 4, "rate_limit": 9, "error_member": 3, "text": 3}
	shapes, now := platformShapes(t)
	for _, s := range shapes {
		budget, ok := budgets[s.name]
		if !ok {
			t.Errorf("no allocation budget for the shape %s", s.name)
			continue
		}
		allocs := testing.AllocsPerRun(200, func() { _ = veerrors.DecodeError(s.status, s.header, s.body, now) })
		if allocs > budget {
			t.Errorf("%s: %v allocations per DecodeError, budget %v", s.name, allocs, budget)
		}
	}
}
