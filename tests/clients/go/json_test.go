package veerrors_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	veerrors "github.com/virtengine/virtengine-errors/clients/go"
)

// The decoder reads JSON bodies with its own scanner; what it accepts and the values it
// gives must be what encoding/json (Decoder.UseNumber) gives: these tests compare the two
// on the context of an {"error": "<text>", ...} body, where every member but error and
// message lands.

// jsonValues are member values and near misses: escapes (surrogates alone, in pairs, in
// the wrong order), numbers, literals, nesting around the 512-level limit, broken text.
var jsonValues = []string{
	`"plain"`, `""`, `"a\"b\\c\/d\b\f\n\r\tz"`, `"\u00e9\u20ac\ud83d\ude00"`, `"\ud800"`, `"\udc00\ud800"`,
	`"\ud800\u0041"`, `"\ud800\\u0041"`, `"\ud800\udbff"`, `"é\u0000x"`, "\"\u2028\"",
	`0`, `-0`, `12`, `-1.5`, `1e5`, `1E+5`, `2.5e-3`, `123456789012345678901234567890`, `1e400`,
	`true`, `false`, `null`, `[]`, `{}`, `[1,"a",[],{}]`, `{"a":{"b":[null,true]},"a":2}`,
	` [ 1 , 2 ] `, "\t{\r\n\"k\" :\n1}\n",
	`01`, `1.`, `.5`, `+1`, `-`, `1e`, `1e+`, `0x10`, `NaN`, `tru`, `nul`, `True`, `[1,]`, `{"a":1,}`,
	`[1 2]`, `{"a" 1}`, `{a:1}`, `{"a":1`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"\t\"", `"abc`, `'a'`, ``,
	strings.Repeat("[", 510) + strings.Repeat("]", 510),
	strings.Repeat("[", 511) + strings.Repeat("]", 511), // 512 levels with the body's object
	strings.Repeat("[", 512) + strings.Repeat("]", 512), // 513: no JSON
	strings.Repeat(`{"a":`, 511) + "1" + strings.Repeat("}", 511),
	`"` + strings.Repeat("[", 600) + `"`,
}

// referenceObject is body read as the contract reads JSON: exactly one value, an object,
// nested at most 512 levels (docs/client-behaviour.md 4.5.3), by encoding/json; each byte
// that is not UTF-8 becomes U+FFFD first.
func referenceObject(body []byte) (map[string]any, bool) {
	text := string([]rune(string(body)))
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range []byte(text) {
		switch {
		case inString && escaped:
			escaped = false
		case inString:
			escaped, inString = c == '\\', c != '"'
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	if deepest > 512 {
		return nil, false
	}
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.UseNumber()
	var doc any
	if decoder.Decode(&doc) != nil {
		return nil, false
	}
	if _, err := decoder.Token(); err != io.EOF {
		return nil, false
	}
	object, ok := doc.(map[string]any)
	return object, ok
}

// sameAsEncodingJSON decodes body as a 400 and compares it with encoding/json's reading.
func sameAsEncodingJSON(t *testing.T, body []byte) {
	t.Helper()
	header := http.Header{"Content-Type": {"application/json"}}
	var e *veerrors.APIError
	if !errors.As(veerrors.DecodeError(400, header, body, time.Time{}), &e) {
		t.Fatalf("%q: not an *APIError", body)
	}
	want, isJSON := referenceObject(body)
	errorText, isErrorMember := want["error"].(string)
	if !isJSON {
		if e.Shape != veerrors.ShapeNone || e.Context != nil {
			t.Fatalf("%q is no JSON object to encoding/json, decoded as %s with context %v", body, e.Shape, e.Context)
		}
		return
	}
	if !isErrorMember {
		t.Fatalf("%q: the test builds {\"error\": \"<text>\", ...} bodies only", body)
	}
	if message, ok := want["message"].(string); ok && message != "" {
		errorText = message
	}
	delete(want, "error")
	delete(want, "message")
	if len(want) == 0 {
		want = nil
	}
	if e.Shape != veerrors.ShapeErrorMember || e.Message != errorText || !reflect.DeepEqual(e.Context, want) {
		t.Fatalf("%q: got %s %q %#v, encoding/json reads %q %#v", body, e.Shape, e.Message, e.Context, errorText, want)
	}
}

func TestTheDecoderReadsJSONAsEncodingJSONDoes(t *testing.T) {
	for _, value := range jsonValues {
		sameAsEncodingJSON(t, []byte(`{"error":"e","v":`+value+`}`))
		sameAsEncodingJSON(t, []byte(`{"error":"e",`+value+`:1}`)) // value as a member name
		sameAsEncodingJSON(t, []byte(`{"error":"e"}`+value))       // after the object
	}
	for _, body := range []string{
		`{"\u0065rror":"escaped name","limit":1,"limit":2}`,
		`{"error":{"code":"x"},"error":"the last error counts","message":""}`,
		`{"error":"e","message":"the message wins","reset_at":"2026-01-01T00:00:30Z"}`,
		" \r\n\t{\"error\":\"whitespace around\"}\n ",
		"\ufeff{\"error\":\"a byte order mark is no JSON whitespace\"}",
		"{\"error\":\"bytes that are not UTF-8: \xff\xfe\"}",
		strings.Repeat(" ", 3) + `{"error":"e"} {}`,
	} {
		sameAsEncodingJSON(t, []byte(body))
	}
}

// FuzzJSONReading compares the decoder's reading of a member value with encoding/json's
// (go test -run '^$' -fuzz FuzzJSONReading).
func FuzzJSONReading(f *testing.F) {
	for _, value := range jsonValues {
		f.Add(value)
	}
	f.Fuzz(func(t *testing.T, value string) {
		sameAsEncodingJSON(t, []byte(`{"error":"e","v":`+value+`}`))
		sameAsEncodingJSON(t, []byte(`{"error":"e",`+value+`:1}`))
	})
}
