package veerrors

import (
	"encoding/json"
	"io"
	"math"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DecodeError turns an error response into the SDK's error value: one of the category
// types (*NotFoundError, ...) or *APIError. It never panics, whatever the body holds;
// at most MaxErrorBodyBytes of body are looked at. now anchors HTTP-date and reset_at
// retry hints.
func DecodeError(status int, header http.Header, body []byte, now time.Time) error {
	if len(body) > MaxErrorBodyBytes {
		body = body[:MaxErrorBodyBytes]
	}
	e := &APIError{HTTPStatus: status, RawBody: body, RequestID: header.Get("X-Request-Id")}
	found := readBody(e, header, validText(body))
	fillDefaults(e, found)
	if ms, ok := retryHint(header, e.Context, now); ok {
		e.RetryAfterMillis, e.HasRetryAfter = ms, true
	}
	return typed(e)
}

// wireError is what an envelope or a problem said; nil members were missing or of
// the wrong JSON type.
type wireError struct {
	message, category, severity *string
	retryable                   *bool
}

func readBody(e *APIError, header http.Header, text string) *wireError {
	var doc any
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.UseNumber() // context numbers keep their precision
	if decoder.Decode(&doc) != nil {
		return nil
	}
	if _, err := decoder.Token(); err != io.EOF {
		return nil // more than one JSON value: not JSON
	}
	object, _ := doc.(map[string]any)
	if object == nil {
		return nil
	}
	if inner, ok := object["error"].(map[string]any); ok {
		if code, ok := inner["code"].(string); ok {
			setCode(e, code)
			return readMembers(e, inner, stringMember(inner, "message"))
		}
	}
	if !isProblem(header, object) {
		return nil
	}
	if code, ok := object["code"].(string); ok {
		setCode(e, code)
	}
	message := stringMember(object, "detail")
	if message == nil {
		message = stringMember(object, "title")
	}
	return readMembers(e, object, message)
}

func readMembers(e *APIError, object map[string]any, message *string) *wireError {
	e.Envelope = true
	if context, ok := object["context"].(map[string]any); ok {
		e.Context = context
	}
	w := &wireError{message: message, category: stringMember(object, "category"),
		severity: stringMember(object, "severity")}
	if retryable, ok := object["retryable"].(bool); ok {
		w.retryable = &retryable
	}
	return w
}

func isProblem(header http.Header, object map[string]any) bool {
	mediaType, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if strings.EqualFold(mediaType, "application/problem+json") {
		return true
	}
	_, hasType := object["type"]
	_, hasStatus := object["status"]
	_, codeIsString := object["code"].(string)
	return hasType && hasStatus && codeIsString
}

// setCode splits code at its last colon; a number that is not all digits stays unset.
func setCode(e *APIError, code string) {
	e.Code = code
	cut := strings.LastIndex(code, ":")
	if cut < 0 {
		return
	}
	e.Module = code[:cut]
	if number := code[cut+1:]; allDigits(number) {
		if n, err := strconv.Atoi(number); err == nil {
			e.Number, e.HasNumber = n, true
		}
	}
}

// fillDefaults applies, field by field: the envelope's value, else the catalog's entry,
// else the category's defaults, else the status table.
func fillDefaults(e *APIError, w *wireError) {
	if w == nil {
		w = &wireError{}
	}
	var code *Code
	if e.HasNumber {
		code, _ = Lookup(e.Module + ":" + strconv.Itoa(e.Number))
	}
	row, inTable := statusTable[e.HTTPStatus]
	switch {
	case w.category != nil:
		e.Category = Category(*w.category)
	case code != nil:
		e.Category = code.Category
	default:
		e.Category = row.category
	}
	defaults, knownCategory := categoryDefaults[e.Category]
	switch {
	case w.retryable != nil:
		e.Retryable = *w.retryable
	case code != nil:
		e.Retryable = code.Retryable
	case knownCategory:
		e.Retryable = defaults.retryable
	default:
		e.Retryable = inTable && row.retryable
	}
	switch {
	case w.severity != nil:
		e.Severity = Severity(*w.severity)
	case code != nil:
		e.Severity = code.Severity
	case knownCategory:
		e.Severity = defaults.severity
	default:
		e.Severity = SeverityError
	}
	switch {
	case w.message != nil:
		e.Message = *w.message
	case code != nil:
		e.Message = code.Message
	default:
		e.Message = statusText(e.HTTPStatus)
	}
}

func allDigits(text string) bool {
	for _, c := range []byte(text) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return text != ""
}

func statusText(status int) string {
	if phrase, ok := reasonPhrases[status]; ok {
		return "HTTP " + strconv.Itoa(status) + " " + phrase
	}
	return "HTTP " + strconv.Itoa(status)
}

func stringMember(object map[string]any, name string) *string {
	if value, ok := object[name].(string); ok {
		return &value
	}
	return nil
}

// validText decodes the body as UTF-8, each invalid byte becoming U+FFFD.
func validText(body []byte) string {
	if utf8.Valid(body) {
		return string(body)
	}
	var text strings.Builder
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		text.WriteRune(r)
		body = body[size:]
	}
	return text.String()
}

var decimal = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// retryHint is the server's hint in milliseconds, first found of: the retry-after-ms
// header, the Retry-After header (seconds or an HTTP-date), the context's reset_at.
// Negative, unparsable and non-finite values count as absent.
func retryHint(header http.Header, context map[string]any, now time.Time) (float64, bool) {
	if ms, ok := parseDecimal(header.Get("Retry-After-Ms")); ok {
		return ms, true
	}
	value := strings.TrimSpace(header.Get("Retry-After"))
	if seconds, ok := parseDecimal(value); ok {
		return seconds * 1000, true
	}
	if at, err := http.ParseTime(value); err == nil && value != "" {
		return untilMillis(at, now), true
	}
	if resetAt, ok := context["reset_at"].(string); ok {
		if at, err := time.Parse(time.RFC3339Nano, resetAt); err == nil {
			return untilMillis(at, now), true
		}
	}
	return 0, false
}

func parseDecimal(text string) (float64, bool) {
	text = strings.TrimSpace(text)
	if !decimal.MatchString(text) {
		return 0, false
	}
	value, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(value, 0) {
		return 0, false
	}
	return value, true
}

// untilMillis is at - now in milliseconds, 0 for a moment in the past; computed in
// floats so that far dates cannot overflow a time.Duration.
func untilMillis(at, now time.Time) float64 {
	seconds := float64(at.Unix() - now.Unix())
	nanos := float64(at.Nanosecond() - now.Nanosecond())
	return math.Max(0, seconds*1000+nanos/1e6)
}
