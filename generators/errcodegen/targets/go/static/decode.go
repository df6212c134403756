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

// maxJSONDepth is the deepest nesting of objects and arrays, counted together, that a
// body may have and still be JSON to the decoder (docs/client-behaviour.md 4.5.3).
const maxJSONDepth = 512

// jsonObject parses text as exactly one JSON object with nothing but whitespace around
// it, nested at most maxJSONDepth levels deep.
func jsonObject(text string) (map[string]any, bool) {
	if !nestedWithin(text, maxJSONDepth) {
		return nil, false
	}
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

// nestedWithin reports whether the objects and arrays of text, counted together and
// outside strings, nest at most limit levels deep. It scans the text once, without
// recursion, so that a body of 100,000 brackets costs no more than its length.
func nestedWithin(text string, limit int) bool {
	depth, inString, escaped := 0, false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > limit {
				return false
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return true
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

// setCode splits code at its last colon (contract 1.4 and 4.2). The number is set only
// when the part after the colon is ASCII digits alone, leading zeros allowed, with a
// value the platform's uint32 codes can hold: "veid:4294967296" has none. Where int has
// 32 bits, a number above math.MaxInt32 is left unset rather than wrapped.
func setCode(e *APIError, code string) {
	e.Code = code
	cut := strings.LastIndex(code, ":")
	if cut < 0 {
		return
	}
	e.Module = code[:cut]
	if number := code[cut+1:]; number != "" && digitsLen(number) == len(number) {
		if n, err := strconv.ParseUint(number, 10, 32); err == nil && n <= math.MaxInt {
			e.Number, e.HasNumber = int(n), true
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
// header, the Retry-After header (seconds, or an HTTP-date), the X-RateLimit-Reset
// header (Unix seconds or seconds from now), the context's reset_at (an RFC 3339
// date-time). Negative, unparsable and non-finite values count as absent, and so does a
// header sent more than once: its values are read joined with ", ", as fetch presents
// them, which is no number and no date (docs/client-behaviour.md 1.6 and 4.5).
func retryHint(header http.Header, context map[string]any, now time.Time) (float64, bool) {
	if ms, ok := parseDecimal(headerValue(header, "Retry-After-Ms")); ok {
		return ms, true
	}
	value := strings.TrimSpace(headerValue(header, "Retry-After"))
	if seconds, ok := parseDecimal(value); ok && !math.IsInf(seconds*1000, 0) {
		return seconds * 1000, true
	}
	if at, ok := parseHTTPDate(value, now); ok {
		return untilMillis(at, now), true
	}
	if reset, ok := parseDecimal(headerValue(header, "X-Ratelimit-Reset")); ok && !math.IsInf(reset*1000, 0) {
		if reset < unixThreshold {
			return reset * 1000, true
		}
		nowMillis := float64(now.Unix())*1000 + float64(now.Nanosecond())/1e6
		return math.Max(0, reset*1000-nowMillis), true
	}
	if resetAt, ok := context["reset_at"].(string); ok {
		if at, ok := parseRFC3339(resetAt); ok {
			return untilMillis(at, now), true
		}
	}
	return 0, false
}

// headerValue is every value of the header name, joined with ", " as fetch joins them.
func headerValue(header http.Header, name string) string {
	return strings.Join(header.Values(name), ", ")
}

// The three forms of an HTTP-date that RFC 9110 (5.6.7) has a recipient accept.
const (
	imfFixdate = http.TimeFormat                  // Thu, 01 Jan 2026 00:00:05 GMT
	rfc850Date = "Monday, 02-Jan-06 15:04:05 GMT" // Thursday, 01-Jan-26 00:00:05 GMT
	asctime    = "Mon Jan _2 15:04:05 2006"       // Thu Jan  1 00:00:05 2026
)

// parseHTTPDate reads an HTTP-date in any of its three forms. The two-digit year of the
// RFC 850 form is the year with those last two digits within 50 years of now.
func parseHTTPDate(value string, now time.Time) (time.Time, bool) {
	if at, err := time.Parse(imfFixdate, value); err == nil {
		return at, true
	}
	if at, err := time.Parse(asctime, value); err == nil {
		return at, true
	}
	at, err := time.Parse(rfc850Date, value)
	if err != nil {
		return time.Time{}, false
	}
	nowYear := now.UTC().Year()
	year := nowYear - nowYear%100 + at.Year()%100
	switch {
	case year > nowYear+50:
		year -= 100
	case year <= nowYear-50:
		year += 100
	}
	return time.Date(year, at.Month(), at.Day(), at.Hour(), at.Minute(), at.Second(), 0, time.UTC), true
}

// parseRFC3339 reads an RFC 3339 date-time (section 5.6): "2006-01-02T15:04:05", an
// optional fraction of a second, then "Z" or an offset "+07:00"; "T" and "Z" may be lower
// case. A date alone, a missing offset, a space for "T", a comma for the point or a
// field out of range is no date-time. A leap second (:60) counts as the second before it.
func parseRFC3339(value string) (time.Time, bool) {
	const layout = "2006-01-02T15:04:05"
	if len(value) <= len(layout) || value[4] != '-' || value[7] != '-' || value[10] != 'T' && value[10] != 't' ||
		value[13] != ':' || value[16] != ':' {
		return time.Time{}, false
	}
	year, okYear := fixedDigits(value[0:4])
	month, okMonth := fixedDigits(value[5:7])
	day, okDay := fixedDigits(value[8:10])
	hour, okHour := fixedDigits(value[11:13])
	minute, okMinute := fixedDigits(value[14:16])
	second, okSecond := fixedDigits(value[17:19])
	if !(okYear && okMonth && okDay && okHour && okMinute && okSecond) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(year, time.Month(month)) || hour > 23 || minute > 59 || second > 60 {
		return time.Time{}, false
	}
	rest, nanos := value[len(layout):], 0
	if fraction, found := strings.CutPrefix(rest, "."); found {
		n := digitsLen(fraction)
		if n == 0 {
			return time.Time{}, false
		}
		for i := 0; i < 9; i++ { // nanoseconds: the first nine digits, padded with zeros
			nanos *= 10
			if i < n {
				nanos += int(fraction[i] - '0')
			}
		}
		rest = fraction[n:]
	}
	offset := 0
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == len("+07:00") && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		hours, okHours := fixedDigits(rest[1:3])
		minutes, okMinutes := fixedDigits(rest[4:6])
		if !okHours || !okMinutes || hours > 23 || minutes > 59 {
			return time.Time{}, false
		}
		if offset = (hours*60 + minutes) * 60; rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	second = min(second, 59)
	return time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.FixedZone("", offset)), true
}

// fixedDigits reads text that is ASCII digits and nothing else.
func fixedDigits(text string) (int, bool) {
	if text == "" || digitsLen(text) != len(text) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(text); i++ {
		n = n*10 + int(text[i]-'0')
	}
	return n, true
}

// daysIn is the number of days of month in year.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
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
