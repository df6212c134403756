package veerrors

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// asciiSpace is the whitespace trimmed from a text body or a transaction log: ASCII
// only, so that U+00A0 and U+FEFF stay (docs/client-behaviour.md 1.3).
const asciiSpace = " \t\n\v\f\r"

// maxTextRunes is how much of a text/plain body becomes the message, in code points.
const maxTextRunes = 1000

// DecodeError turns an error response into the SDK's error value: one of the category
// types (*NotFoundError, ...) or *APIError. It reads the VirtEngine envelope, an RFC 9457
// problem, the chain gateway's gRPC status, an {"error": "<text>"} body and plain text
// (the Shape field says which). It never panics, whatever the body holds; at most
// MaxErrorBodyBytes of body are looked at. now anchors date and reset-time retry hints.
func DecodeError(status int, header http.Header, body []byte, now time.Time) error {
	if len(body) > MaxErrorBodyBytes {
		body = body[:MaxErrorBodyBytes]
	}
	e := &APIError{HTTPStatus: status, RawBody: body, RequestID: header.Get("X-Request-Id"), Attempts: 1,
		Header: header}
	found := readBody(e, mediaType(header), validText(body))
	fillDefaults(e, found)
	if ms, ok := retryHint(header, e.Context, now); ok {
		e.retryAfterMillis, e.hasRetryAfter = ms, true
	}
	return typed(e)
}

// wireError is what the body said; nil members were missing or of the wrong JSON type.
type wireError struct {
	message, category, severity *string
	retryable                   *bool
	// grpcCategory is the category a gateway status's gRPC code implies, or "".
	grpcCategory Category
}

// readBody classifies the body (contract 1.3, first match wins), sets e's Shape, code
// and context, and returns what the body said about the other fields.
func readBody(e *APIError, mediaType, text string) *wireError {
	object, usable := jsonObject(text)
	if !usable {
		if trimmed := strings.Trim(text, asciiSpace); mediaType == "text/plain" && trimmed != "" {
			e.Shape = ShapeText
			return codeAtStart(e, firstRunes(trimmed, maxTextRunes))
		}
		e.Shape = ShapeNone
		return nil
	}
	if inner, ok := object["error"].(map[string]any); ok {
		if code, ok := inner["code"].(string); ok {
			e.Shape = ShapeEnvelope
			setCode(e, code)
			return readMembers(e, inner, stringMember(inner, "message"))
		}
	}
	if isProblem(mediaType, object) {
		e.Shape = ShapeProblem
		if code, ok := object["code"].(string); ok {
			setCode(e, code)
		}
		message := stringMember(object, "detail")
		if message == nil {
			message = stringMember(object, "title")
		}
		return readMembers(e, object, message)
	}
	if grpcCode, ok := wholeNumber(object["code"]); ok {
		if message, ok := object["message"].(string); ok {
			e.Shape = ShapeGRPCGateway
			w := gatewayText(e, message)
			w.grpcCategory = grpcCategories[grpcCode]
			return w
		}
	}
	if errorText, ok := object["error"].(string); ok {
		e.Shape = ShapeErrorMember
		if message, ok := object["message"].(string); ok && message != "" {
			errorText = message
		}
		for name, value := range object {
			if name != "error" && name != "message" {
				if e.Context == nil {
					e.Context = make(map[string]any, len(object))
				}
				e.Context[name] = value
			}
		}
		return codeAtStart(e, errorText)
	}
	e.Shape = ShapeNone
	return nil
}

// jsonObject parses text as exactly one JSON object with nothing but whitespace around it.
func jsonObject(text string) (map[string]any, bool) {
	var doc any
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.UseNumber() // context numbers keep their precision
	if decoder.Decode(&doc) != nil {
		return nil, false
	}
	if _, err := decoder.Token(); err != io.EOF {
		return nil, false // more than one JSON value: not JSON
	}
	object, ok := doc.(map[string]any)
	return object, ok
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

// mediaType is the Content-Type before any ";", trimmed and in lower case.
func mediaType(header http.Header) string {
	value, _, _ := strings.Cut(header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(value))
}

func isProblem(mediaType string, object map[string]any) bool {
	if mediaType == "application/problem+json" {
		return true
	}
	_, hasType := object["type"]
	_, hasStatus := object["status"]
	_, codeIsString := object["code"].(string)
	return hasType && hasStatus && codeIsString
}

// wholeNumber reports whether value is a JSON number with a whole value (5 or 5.0) and
// returns it, or -1 when it is out of the range of gRPC codes' type.
func wholeNumber(value any) (int, bool) {
	number, ok := value.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(number), 64)
	if err != nil || f != math.Trunc(f) {
		return 0, false
	}
	if f < 0 || f > math.MaxInt32 {
		return -1, true
	}
	return int(f), true
}

// gatewayText reads the message of a gateway status (contract 1.3.1).
func gatewayText(e *APIError, text string) *wireError {
	text = withoutRPCPrefix(text)
	rest, found := strings.CutPrefix(text, "codespace ")
	if !found {
		return codeAtStart(e, text)
	}
	module := moduleLen(rest)
	if module == 0 || !strings.HasPrefix(rest[module:], " code ") {
		return codeAtStart(e, text)
	}
	digits := rest[module+len(" code "):]
	n := digitsLen(digits)
	if n == 0 {
		return codeAtStart(e, text)
	}
	if n == len(digits) {
		setCode(e, rest[:module]+":"+digits)
		return &wireError{} // the registry's message, else the status text
	}
	if message, ok := strings.CutPrefix(digits[n:], ": "); ok {
		setCode(e, rest[:module]+":"+digits[:n])
		return &wireError{message: &message}
	}
	return codeAtStart(e, text)
}

// FromGRPCStatus returns the error of a gRPC status: nil for code 0 (OK), else the
// error its message names, read as the chain's gateway does (docs/client-behaviour.md
// 1.3.1 and 1.3.3): "codespace veid code 1036: ..." or "veid:1036: ..." give the
// registry's error; without a known code the gRPC code gives the category (NotFound
// a *NotFoundError, Unavailable a retryable *ExternalError, ...), or none. The error has
// no HTTP status (0) and its Shape is ShapeGRPC. The grpcerrors module applies it to
// the errors of a grpc.ClientConn.
func FromGRPCStatus(code uint32, message string) error {
	if code == 0 {
		return nil
	}
	e := &APIError{Shape: ShapeGRPC, Attempts: 1}
	w := gatewayText(e, message)
	if code <= math.MaxInt32 {
		w.grpcCategory = grpcCategories[int(code)]
	}
	if entry := fillDefaults(e, w); w.message == nil && entry == nil {
		e.Message = e.Code // "codespace m code n" alone, unknown: no status to word
	}
	return typed(e)
}

// withoutRPCPrefix drops "rpc error: code = <Name> desc = " from the start of text.
func withoutRPCPrefix(text string) string {
	rest, found := strings.CutPrefix(text, "rpc error: code = ")
	if !found {
		return text
	}
	name := 0
	for name < len(rest) && ('A' <= rest[name] && rest[name] <= 'Z' || 'a' <= rest[name] && rest[name] <= 'z') {
		name++
	}
	if message, ok := strings.CutPrefix(rest[name:], " desc = "); ok && name > 0 {
		return message
	}
	return text
}

// codeAtStart reads "<module>:<n>: <message>" (contract 1.3.2); any other text is the
// message alone.
func codeAtStart(e *APIError, text string) *wireError {
	module := moduleLen(text)
	if module > 0 && module < len(text) && text[module] == ':' {
		n := digitsLen(text[module+1:])
		end := module + 1 + n
		if message, ok := strings.CutPrefix(text[end:], ": "); ok && n > 0 {
			setCode(e, text[:end])
			return &wireError{message: &message}
		}
	}
	return &wireError{message: &text}
}

// moduleLen counts the leading bytes of text that may form a module name.
func moduleLen(text string) int {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '_' || c == '.' || c == '/' || c == '-') {
			return i
		}
	}
	return len(text)
}

// digitsLen counts the leading ASCII digits of text.
func digitsLen(text string) int {
	for i := 0; i < len(text); i++ {
		if text[i] < '0' || text[i] > '9' {
			return i
		}
	}
	return len(text)
}

// firstRunes is text cut to its first n code points.
func firstRunes(text string, n int) string {
	for i := range text {
		if n == 0 {
			return text[:i]
		}
		n--
	}
	return text
}

// setCode splits code at its last colon; a number that is not all digits stays unset.
func setCode(e *APIError, code string) {
	e.Code = code
	cut := strings.LastIndex(code, ":")
	if cut < 0 {
		return
	}
	e.Module = code[:cut]
	if number := code[cut+1:]; number != "" && digitsLen(number) == len(number) {
		if n, err := strconv.Atoi(number); err == nil {
			e.Number, e.HasNumber = n, true
		}
	}
}

// fillDefaults applies, field by field: what the body said, else the catalog's entry,
// else the category a gateway's gRPC code implies, else the category's defaults, else
// the status table. It returns the catalog entry of e's code, or nil.
func fillDefaults(e *APIError, w *wireError) *Code {
	if w == nil {
		w = &wireError{}
	}
	var code *Code
	if e.HasNumber {
		code, _ = lookupNumber(e.Module, e.Number)
	}
	row, inTable := statusTable[e.HTTPStatus]
	fromTable := false
	switch {
	case w.category != nil:
		e.Category = Category(*w.category)
	case code != nil:
		e.Category = code.category
	case w.grpcCategory != "":
		e.Category = w.grpcCategory
	default:
		e.Category, fromTable = row.category, true
	}
	defaults, knownCategory := categoryDefaults[e.Category]
	switch {
	case w.retryable != nil:
		e.Retryable = *w.retryable
	case code != nil:
		e.Retryable = code.retryable
	case fromTable && !e.Envelope: // contract 1.7 and 1.3.3: the row's own value
		e.Retryable = inTable && row.retryable
	case knownCategory:
		e.Retryable = defaults.retryable
	default:
		e.Retryable = inTable && row.retryable
	}
	switch {
	case w.severity != nil:
		e.Severity = Severity(*w.severity)
	case code != nil:
		e.Severity = code.severity
	case knownCategory:
		e.Severity = defaults.severity
	default:
		e.Severity = SeverityError
	}
	switch {
	case w.message != nil:
		e.Message = *w.message
	case code != nil:
		e.Message = code.message
	default:
		e.Message = statusText(e.HTTPStatus)
	}
	return code
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

// unixThreshold splits X-RateLimit-Reset values: from it on a Unix time in seconds,
// below it a number of seconds from now.
const unixThreshold = 1e9

// retryHint is the server's hint in milliseconds, first found of: the retry-after-ms
// header, the Retry-After header (seconds, or an HTTP-date in any of the three forms
// RFC 9110 says a recipient must accept: IMF-fixdate, RFC 850 and asctime), the
// X-RateLimit-Reset header (Unix seconds or seconds from now), the context's reset_at.
// Negative, unparsable and non-finite values count as absent. Of a header sent more than
// once, the first value counts, as the Python client reads a repeated number.
func retryHint(header http.Header, context map[string]any, now time.Time) (float64, bool) {
	if ms, ok := parseDecimal(header.Get("Retry-After-Ms")); ok {
		return ms, true
	}
	value := strings.TrimSpace(header.Get("Retry-After"))
	if seconds, ok := parseDecimal(value); ok && !math.IsInf(seconds*1000, 0) {
		return seconds * 1000, true
	}
	if at, err := http.ParseTime(value); err == nil && value != "" {
		return untilMillis(at, now), true
	}
	if reset, ok := parseDecimal(header.Get("X-Ratelimit-Reset")); ok && !math.IsInf(reset*1000, 0) {
		if reset < unixThreshold {
			return reset * 1000, true
		}
		nowMillis := float64(now.Unix())*1000 + float64(now.Nanosecond())/1e6
		return math.Max(0, reset*1000-nowMillis), true
	}
	if resetAt, ok := context["reset_at"].(string); ok {
		if at, err := time.Parse(time.RFC3339Nano, resetAt); err == nil {
			return untilMillis(at, now), true
		}
	}
	return 0, false
}

// parseDecimal reads ASCII digits with an optional fractional part, spaces around them
// ignored: "5", "5.25", and as in the other clients "5." and ".5" (not "." alone).
func parseDecimal(text string) (float64, bool) {
	text = strings.TrimSpace(text)
	whole := digitsLen(text)
	if whole < len(text) {
		fraction := text[whole+1:]
		if text[whole] != '.' || digitsLen(fraction) != len(fraction) || whole+len(fraction) == 0 {
			return 0, false
		}
	} else if whole == 0 {
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
