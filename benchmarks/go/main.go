// Command bench measures the Go client (issue 19) and prints one JSON line of raw
// samples, which benchmarks/report.py turns into medians and spreads.
//
//	bench SHAPES_JSON
//
// Every cost is process CPU time (clock_gettime(CLOCK_PROCESS_CPUTIME_ID): this process,
// all its threads, the garbage collector's included), so waiting for the machine's other
// processes does not count; wall time is kept beside it.
//
//   - decode: for each shape of SHAPES_JSON, DecodeError (bytes and headers in, typed
//     error out) and encoding/json decoding the same bytes into a struct of the shape's
//     members, in alternating rounds (the order flips every round), ns per call in each
//     round; allocations per call beside them.
//   - success: GETs through a bare http.Transport and through veerrors.Transport over
//     another bare http.Transport, to a keep-alive server in a child process (this
//     binary with -serve; its CPU is not counted); the two take turns request by request
//     (the order flips every pair, so both see the same load), 1,000 of each a round;
//     CPU and wall ns of every request, allocations per request.
//   - init: this binary run with -noop under GODEBUG=inittrace=1, which prints the
//     client package's init: its clock time, bytes and allocations; and run with -first,
//     the allocations of the first DecodeError of a fresh process.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

const (
	decodeRounds  = 31
	decodeRoundNs = 20_000_000 // CPU time one side of a decode round aims at
	successRounds = 31
	pairsPerRound = 1000
	warmUpPairs   = 5_000
	initRuns      = 7
)

type shape struct {
	Shape     string            `json:"shape"`
	Status    int               `json:"status"`
	Headers   map[string]string `json:"headers"`
	Body      string            `json:"body"`
	ParseBody *string           `json:"parse_body"`
}

type shapesFile struct {
	NowMs  int64   `json:"now_ms"`
	Shapes []shape `json:"shapes"`
}

// The structs an application would decode each shape into: the baseline.
type envelopeBody struct {
	Error struct {
		Code      string         `json:"code"`
		Message   string         `json:"message"`
		Category  string         `json:"category"`
		Severity  string         `json:"severity"`
		Retryable bool           `json:"retryable"`
		Context   map[string]any `json:"context"`
	} `json:"error"`
}

type gatewayBody struct {
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Details []json.RawMessage `json:"details"`
}

type rateLimitBody struct {
	Error      string `json:"error"`
	Message    string `json:"message"`
	Limit      int    `json:"limit"`
	Remaining  int    `json:"remaining"`
	ResetAt    string `json:"reset_at"`
	RetryAfter int    `json:"retry_after"`
}

type errorMemberBody struct {
	Error string `json:"error"`
}

func baseline(name string) func([]byte) error {
	switch name {
	case "envelope":
		return func(b []byte) error { var v envelopeBody; return json.Unmarshal(b, &v) }
	case "gateway":
		return func(b []byte) error { var v gatewayBody; return json.Unmarshal(b, &v) }
	case "rate_limit":
		return func(b []byte) error { var v rateLimitBody; return json.Unmarshal(b, &v) }
	case "error_member":
		return func(b []byte) error { var v errorMemberBody; return json.Unmarshal(b, &v) }
	case "text":
		return func(b []byte) error { var v string; return json.Unmarshal(b, &v) }
	}
	return func(b []byte) error { var v map[string]any; return json.Unmarshal(b, &v) }
}

// cpuNs is the CPU time of the process (all threads), in ns.
func cpuNs() int64 {
	var ts syscall.Timespec
	const clockProcessCPUTimeID = 2
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		panic(errno)
	}
	return ts.Nano()
}

func nsPerCall(f func(), n int) float64 {
	started := cpuNs()
	for i := 0; i < n; i++ {
		f()
	}
	return float64(cpuNs()-started) / float64(n)
}

func calibrate(f func()) int {
	for n := 100; ; n *= 4 {
		spent := nsPerCall(f, n) * float64(n)
		if spent >= decodeRoundNs/4 {
			return max(100, int(float64(n)*decodeRoundNs/spent))
		}
	}
}

func decodeSamples(spec shapesFile) []map[string]any {
	now := time.UnixMilli(spec.NowMs)
	var out []map[string]any
	for _, s := range spec.Shapes {
		header := http.Header{}
		for name, value := range s.Headers {
			header.Set(name, value)
		}
		body := []byte(s.Body)
		parseBody := body
		if s.ParseBody != nil {
			parseBody = []byte(*s.ParseBody)
		}
		parseInto := baseline(s.Shape)
		if err := parseInto(parseBody); err != nil {
			panic(fmt.Sprintf("%s: the baseline does not parse: %v", s.Shape, err))
		}
		var decoded error
		decode := func() { decoded = veerrors.DecodeError(s.Status, header, body, now) }
		parse := func() { _ = parseInto(parseBody) }
		nDecode, nParse := calibrate(decode), calibrate(parse)
		var decodeNs, parseNs []float64
		for round := 0; round < decodeRounds; round++ {
			if round%2 == 0 {
				decodeNs = append(decodeNs, nsPerCall(decode, nDecode))
				parseNs = append(parseNs, nsPerCall(parse, nParse))
			} else {
				parseNs = append(parseNs, nsPerCall(parse, nParse))
				decodeNs = append(decodeNs, nsPerCall(decode, nDecode))
			}
		}
		out = append(out, map[string]any{
			"shape":         s.Shape,
			"decoded_as":    reflect.TypeOf(decoded).String(),
			"decode_ns":     decodeNs,
			"parse_ns":      parseNs,
			"decode_allocs": testing.AllocsPerRun(1000, decode),
			"parse_allocs":  testing.AllocsPerRun(1000, parse),
		})
	}
	return out
}

func serve() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(listener.Addr().(*net.TCPAddr).Port)
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "2")
		_, _ = w.Write([]byte("{}"))
	})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); os.Exit(0) }() // the parent went away
	panic(http.Serve(listener, handler))
}

func get(client *http.Client, url string) {
	resp, err := client.Get(url)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		panic(fmt.Sprintf("the loopback server answered %d", resp.StatusCode))
	}
}

func successSamples() map[string]any {
	server := exec.Command(os.Args[0], "-serve")
	server.Stderr = os.Stderr
	stdin, err := server.StdinPipe()
	if err != nil {
		panic(err)
	}
	stdout, err := server.StdoutPipe()
	if err != nil {
		panic(err)
	}
	if err := server.Start(); err != nil {
		panic(err)
	}
	defer func() { _ = stdin.Close(); _ = server.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		panic(err)
	}
	port, err := strconv.Atoi(line[:len(line)-1])
	if err != nil {
		panic(err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	clients := map[string]*http.Client{
		"bare": {Transport: &http.Transport{}},
		"retry": {Transport: &veerrors.Transport{Base: &http.Transport{},
			Retrier: veerrors.NewRetrier(veerrors.DefaultPolicy())}},
	}
	for i := 0; i < warmUpPairs; i++ {
		get(clients["bare"], url)
		get(clients["retry"], url)
	}
	var rounds []map[string][]int64
	for round := 0; round < successRounds; round++ {
		samples := map[string][]int64{}
		for pair := 0; pair < pairsPerRound; pair++ {
			order := []string{"bare", "retry"}
			if pair%2 == 1 {
				order = []string{"retry", "bare"}
			}
			for _, side := range order {
				wall, cpu := time.Now(), cpuNs()
				get(clients[side], url)
				cpuSpent, wallSpent := cpuNs()-cpu, time.Since(wall).Nanoseconds()
				samples[side+"_cpu_ns"] = append(samples[side+"_cpu_ns"], cpuSpent)
				samples[side+"_wall_ns"] = append(samples[side+"_wall_ns"], wallSpent)
			}
		}
		rounds = append(rounds, samples)
	}
	return map[string]any{
		"requests_per_round": pairsPerRound,
		"rounds":             rounds,
		"bare_allocs":        testing.AllocsPerRun(500, func() { get(clients["bare"], url) }),
		"retry_allocs":       testing.AllocsPerRun(500, func() { get(clients["retry"], url) }),
	}
}

var initLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock, ([0-9]+) bytes, ([0-9]+) allocs`)

// initCost runs this binary with -noop under GODEBUG=inittrace=1 and reads the client
// package's line.
func initCost() map[string]any {
	pkgPath := reflect.TypeOf(veerrors.APIError{}).PkgPath()
	var clocks []float64
	result := map[string]any{"package": pkgPath}
	for run := 0; run < initRuns; run++ {
		cmd := exec.Command(os.Args[0], "-noop")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		trace, err := cmd.CombinedOutput()
		if err != nil {
			panic(fmt.Sprintf("inittrace run: %v\n%s", err, trace))
		}
		found := false
		for _, text := range regexp.MustCompile(`\r?\n`).Split(string(trace), -1) {
			m := initLine.FindStringSubmatch(text)
			if m == nil || m[1] != pkgPath {
				continue
			}
			found = true
			clock, _ := strconv.ParseFloat(m[2], 64)
			bytes, _ := strconv.Atoi(m[3])
			allocs, _ := strconv.Atoi(m[4])
			clocks = append(clocks, clock)
			result["bytes"], result["allocs"], result["line"] = bytes, allocs, text
		}
		if !found { // no init work at all: the runtime prints no line
			clocks = append(clocks, 0)
			result["bytes"], result["allocs"], result["line"] = 0, 0, ""
		}
	}
	result["clock_ms"] = clocks
	first, err := exec.Command(os.Args[0], "-first").Output()
	if err != nil {
		panic(fmt.Sprintf("first-decode run: %v", err))
	}
	var firstDecode map[string]uint64
	if err := json.Unmarshal(first, &firstDecode); err != nil {
		panic(err)
	}
	result["first_decode"] = firstDecode
	return result
}

// firstDecode prints the allocations of the first DecodeError of a fresh process (a
// gateway status naming a registered code, so the catalog is looked up): a catalog built
// lazily on first use, instead of at init, shows here.
func firstDecode() {
	header := http.Header{"Content-Type": {"application/json"}}
	body := []byte(`{"code":2,"message":"codespace veid code 1036","details":[]}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := veerrors.DecodeError(500, header, body, time.Time{})
	runtime.ReadMemStats(&after)
	if err == nil {
		panic("DecodeError returned nil")
	}
	line, _ := json.Marshal(map[string]uint64{
		"allocs": after.Mallocs - before.Mallocs,
		"bytes":  after.TotalAlloc - before.TotalAlloc,
	})
	fmt.Println(string(line))
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-serve" {
		serve()
		return
	}
	if len(os.Args) == 2 && os.Args[1] == "-noop" {
		return
	}
	if len(os.Args) == 2 && os.Args[1] == "-first" {
		firstDecode()
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bench SHAPES_JSON")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var spec shapesFile
	if err := json.Unmarshal(data, &spec); err != nil {
		panic(err)
	}
	out := map[string]any{
		"language": "go",
		"runtime":  fmt.Sprintf("%s, GOMAXPROCS %d", runtime.Version(), runtime.GOMAXPROCS(0)),
		"decode":   decodeSamples(spec),
		"success":  successSamples(),
		"init":     initCost(),
	}
	line, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(line))
}
