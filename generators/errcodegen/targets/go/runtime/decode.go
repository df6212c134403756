package veerrors

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
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
	e := &APIError{HTTPStatus: status, RawBody: body, RequestID: firstValue(header, "X-Request-Id"), Attempts: 1,
		Header: header}
	fillDefaults(e, readBody(e, mediaType(header), validText(body)))
	if ms, ok := retryHint(header, e.Context, now); ok {
		e.retryAfterMillis, e.hasRetryAfter = ms, true
	}
	return typed(e)
}

// wireError is what the body said; a member that was missing or of the wrong JSON type
// has its has flag false. The zero value says nothing.
type wireError struct {
	message, category, severity          string
	hasMessage, hasCategory, hasSeverity bool
	retryable, hasRetryable              bool
	// grpcCategory is the category a gateway status's gRPC code implies, or "".
	grpcCategory Category
}

// said is a wireError holding a message alone.
func said(message string) wireError {
	return wireError{message: message, hasMessage: true}
}

// readBody classifies the body (contract 1.3, first match wins), sets e's Shape, code
// and context, and returns what the body said about the other fields.
func readBody(e *APIError, mediaType, text string) wireError {
	var buffer [8]jsonMember // room for the usual bodies' members, on the stack
	object, usable := parseObject(text, buffer[:0])
	if !usable {
		if trimmed := strings.Trim(text, asciiSpace); mediaType == "text/plain" && trimmed != "" {
			e.Shape = ShapeText
			return codeAtStart(e, firstRunes(trimmed, maxTextRunes))
		}
		e.Shape = ShapeNone
		return wireError{}
	}
	if w, ok := readEnvelope(e, object); ok {
		return w
	}
	if isProblem(mediaType, object) {
		e.Shape = ShapeProblem
		if code, ok := object.str("code"); ok {
			setCode(e, code)
		}
		message, hasMessage := object.str("detail")
		if !hasMessage {
			message, hasMessage = object.str("title")
		}
		return readMembers(e, object, message, hasMessage)
	}
	if grpcCode, ok := wholeNumber(object.value("code")); ok {
		if message, ok := object.str("message"); ok {
			e.Shape = ShapeGRPCGateway
			w := gatewayText(e, message)
			w.grpcCategory = grpcCategories[grpcCode]
			return w
		}
	}
	if errorText, ok := object.str("error"); ok {
		e.Shape = ShapeErrorMember
		if message, ok := object.str("message"); ok && message != "" {
			errorText = message
		}
		for i := len(object) - 1; i >= 0; i-- { // from the end: a name sent twice keeps its last value
			name := object[i].name
			if _, seen := e.Context[name]; !seen && name != "error" && name != "message" {
				if e.Context == nil {
					e.Context = make(map[string]any)
				}
				e.Context[name] = jsonValue(object[i].value)
			}
		}
		return codeAtStart(e, errorText)
	}
	e.Shape = ShapeNone
	return wireError{}
}

// readEnvelope reads the VirtEngine envelope, {"error": {"code": "<string>", ...}}.
func readEnvelope(e *APIError, object jsonObject) (wireError, bool) {
	var buffer [8]jsonMember
	inner, ok := object.object("error", buffer[:0])
	if !ok {
		return wireError{}, false
	}
	code, ok := inner.str("code")
	if !ok {
		return wireError{}, false
	}
	e.Shape = ShapeEnvelope
	setCode(e, code)
	message, hasMessage := inner.str("message")
	return readMembers(e, inner, message, hasMessage), true
}

// readMembers reads the members an envelope and a problem share.
func readMembers(e *APIError, object jsonObject, message string, hasMessage bool) wireError {
	e.Envelope = true
	if context := object.value("context"); strings.HasPrefix(context, "{") {
		e.Context, _ = jsonValue(context).(map[string]any)
	}
	w := wireError{message: message, hasMessage: hasMessage}
	w.category, w.hasCategory = object.str("category")
	w.severity, w.hasSeverity = object.str("severity")
	switch object.value("retryable") {
	case "true":
		w.retryable, w.hasRetryable = true, true
	case "false":
		w.hasRetryable = true
	}
	return w
}

// The decoder reads JSON itself, without reflection, as encoding/json (Decoder.UseNumber)
// reads it into a map[string]any: the same grammar, a name sent twice keeping its last
// value, numbers as json.Number, arrays as []any, escapes replaced as encoding/json
// replaces them (a surrogate without its pair is U+FFFD). The body is checked once; only
// the members the decoder looks at are converted into Go values.

// maxJSONDepth is the deepest nesting of objects and arrays, counted together, that a
// body may have and still be JSON to the decoder (docs/client-behaviour.md 4.5.3).
const maxJSONDepth = 512

// jsonMember is a member of a JSON object: its name, unescaped, and its value's JSON text
// (checked, never empty).
type jsonMember struct {
	name, value string
}

// jsonObject is an object's members in the order of the text.
type jsonObject []jsonMember

// parseObject reads text as exactly one JSON object with nothing but whitespace around
// it, nested at most maxJSONDepth levels deep, and returns its members appended to
// buffer. Checking the text is one pass that stops at the first byte that is not JSON
// or one level too deep, so no body costs more than its length.
func parseObject(text string, buffer jsonObject) (jsonObject, bool) {
	start := skipSpace(text, 0)
	if start == len(text) || text[start] != '{' {
		return nil, false
	}
	object, end, ok := readObject(text, start, maxJSONDepth-1, buffer, true)
	if !ok || skipSpace(text, end) != len(text) {
		return nil, false // invalid, or more than one JSON value: not JSON
	}
	return object, true
}

// value is the JSON text of the member name (its last value), or "" when there is none.
func (o jsonObject) value(name string) string {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].name == name {
			return o[i].value
		}
	}
	return ""
}

// str is the member name when it is a JSON string.
func (o jsonObject) str(name string) (string, bool) {
	if value := o.value(name); strings.HasPrefix(value, `"`) {
		return unquote(value), true
	}
	return "", false
}

// object is the member name's members, appended to buffer, when it is a JSON object.
func (o jsonObject) object(name string, buffer jsonObject) (jsonObject, bool) {
	value := o.value(name)
	if !strings.HasPrefix(value, "{") {
		return nil, false
	}
	object, _, ok := readObject(value, 0, maxJSONDepth, buffer, true)
	return object, ok
}

// readObject checks the object that starts at text[i] with '{', whose members' values
// may nest depth more levels, and returns the index after its '}'; with keep, it also
// appends the object's members to object.
func readObject(text string, i, depth int, object jsonObject, keep bool) (jsonObject, int, bool) {
	if i = skipSpace(text, i+1); i < len(text) && text[i] == '}' {
		return object, i + 1, true
	}
	for {
		nameEnd, ok := scanString(text, i)
		if !ok {
			return nil, 0, false
		}
		name := text[i:nameEnd]
		if i = skipSpace(text, nameEnd); i == len(text) || text[i] != ':' {
			return nil, 0, false
		}
		start := skipSpace(text, i+1)
		end, ok := skipValue(text, start, depth)
		if !ok {
			return nil, 0, false
		}
		if keep {
			object = append(object, jsonMember{unquote(name), text[start:end]})
		}
		var more bool
		if i, more, ok = nextItem(text, end, '}'); !ok || !more {
			return object, i, ok
		}
	}
}

// skipValue checks the JSON value that starts at text[i], whose objects and arrays may
// nest depth levels (0: none), and returns the index after it.
func skipValue(text string, i, depth int) (int, bool) {
	if i == len(text) {
		return 0, false
	}
	switch text[i] {
	case '{':
		if depth == 0 {
			return 0, false
		}
		_, end, ok := readObject(text, i, depth-1, nil, false)
		return end, ok
	case '[':
		if depth == 0 {
			return 0, false
		}
		if i = skipSpace(text, i+1); i < len(text) && text[i] == ']' {
			return i + 1, true
		}
		for {
			end, ok := skipValue(text, i, depth-1)
			if !ok {
				return 0, false
			}
			var more bool
			if i, more, ok = nextItem(text, end, ']'); !ok || !more {
				return i, ok
			}
		}
	case '"':
		return scanString(text, i)
	case 't':
		return skipWord(text, i, "true")
	case 'f':
		return skipWord(text, i, "false")
	case 'n':
		return skipWord(text, i, "null")
	}
	return scanNumber(text, i)
}

// nextItem reads what follows an item of an object or array ending at text[i]: a comma
// and the next item's start (more), or the closing bracket and the index after it.
func nextItem(text string, i int, closing byte) (next int, more, ok bool) {
	if i = skipSpace(text, i); i == len(text) {
		return 0, false, false
	}
	switch text[i] {
	case ',':
		return skipSpace(text, i+1), true, true
	case closing:
		return i + 1, false, true
	}
	return 0, false, false
}

// jsonValue converts checked JSON text into the Go value encoding/json gives an any
// with UseNumber: map[string]any, []any, string, json.Number, bool or nil.
func jsonValue(text string) any {
	value, _ := convert(text, 0)
	return value
}

// convert converts the checked JSON value at text[i] and returns the index after it.
func convert(text string, i int) (any, int) {
	switch text[i] {
	case '{':
		object := make(map[string]any)
		if i = skipSpace(text, i+1); text[i] == '}' {
			return object, i + 1
		}
		for {
			nameEnd, _ := scanString(text, i)
			name := unquote(text[i:nameEnd])
			value, end := convert(text, skipSpace(text, skipSpace(text, nameEnd)+1))
			object[name] = value
			var more bool
			if i, more, _ = nextItem(text, end, '}'); !more {
				return object, i
			}
		}
	case '[':
		array := make([]any, 0)
		if i = skipSpace(text, i+1); text[i] == ']' {
			return array, i + 1
		}
		for {
			value, end := convert(text, i)
			array = append(array, value)
			var more bool
			if i, more, _ = nextItem(text, end, ']'); !more {
				return array, i
			}
		}
	case '"':
		end, _ := scanString(text, i)
		return unquote(text[i:end]), end
	case 't':
		return true, i + len("true")
	case 'f':
		return false, i + len("false")
	case 'n':
		return nil, i + len("null")
	}
	end, _ := scanNumber(text, i)
	return json.Number(text[i:end]), end
}

// skipSpace returns the index of the first byte from text[i] on that is not JSON
// whitespace.
func skipSpace(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t') {
		i++
	}
	return i
}

// skipWord checks that the literal word (true, false, null) is at text[i].
func skipWord(text string, i int, word string) (int, bool) {
	if strings.HasPrefix(text[i:], word) {
		return i + len(word), true
	}
	return 0, false
}

// scanNumber checks the JSON number at text[i]: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(text string, i int) (int, bool) {
	if i < len(text) && text[i] == '-' {
		i++
	}
	switch {
	case i < len(text) && text[i] == '0':
		i++
	case i < len(text) && '1' <= text[i] && text[i] <= '9':
		i += digitsLen(text[i:])
	default:
		return 0, false
	}
	if i < len(text) && text[i] == '.' {
		n := digitsLen(text[i+1:])
		if n == 0 {
			return 0, false
		}
		i += 1 + n
	}
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		if i++; i < len(text) && (text[i] == '+' || text[i] == '-') {
			i++
		}
		n := digitsLen(text[i:])
		if n == 0 {
			return 0, false
		}
		i += n
	}
	return i, true
}

// scanString checks the JSON string that starts at text[i] with '"' and returns the
// index after its closing quote: no control characters, only JSON's escapes.
func scanString(text string, i int) (int, bool) {
	if i == len(text) || text[i] != '"' {
		return 0, false
	}
	for i++; i < len(text); i++ {
		switch c := text[i]; {
		case c == '"':
			return i + 1, true
		case c < ' ':
			return 0, false
		case c == '\\':
			if i++; i == len(text) {
				return 0, false
			}
			switch text[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if _, ok := hex4(text[i+1:]); !ok {
					return 0, false
				}
				i += 4
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

// unquote is the text of the checked JSON string quoted, its escapes replaced as
// encoding/json replaces them: a surrogate escape without its pair becomes U+FFFD.
func unquote(quoted string) string {
	text := quoted[1 : len(quoted)-1]
	first := strings.IndexByte(text, '\\')
	if first < 0 {
		return text
	}
	out := make([]byte, first, len(text))
	copy(out, text)
	for i := first; i < len(text); {
		if text[i] != '\\' {
			out = append(out, text[i])
			i++
			continue
		}
		escape := text[i+1]
		i += 2
		switch escape {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, _ := hex4(text[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				var low rune
				if strings.HasPrefix(text[i:], `\u`) {
					low, _ = hex4(text[i+2:])
				}
				if pair := utf16.DecodeRune(r, low); pair != unicode.ReplacementChar {
					r, i = pair, i+6 // the pair's second escape is read too
				} else {
					r = unicode.ReplacementChar
				}
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, escape)
		}
	}
	return string(out)
}

// isNumber reports whether the checked JSON text value is a number.
func isNumber(value string) bool {
	return value != "" && (value[0] == '-' || '0' <= value[0] && value[0] <= '9')
}

// hex4 reads the four hexadecimal digits at the start of text.
func hex4(text string) (rune, bool) {
	if len(text) < 4 {
		return 0, false
	}
	var r rune
	for i := 0; i < 4; i++ {
		c := text[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// mediaType is the Content-Type before any ";", trimmed and in lower case.
func mediaType(header http.Header) string {
	value, _, _ := strings.Cut(firstValue(header, "Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(value))
}

func isProblem(mediaType string, object jsonObject) bool {
	if mediaType == "application/problem+json" {
		return true
	}
	return object.value("type") != "" && object.value("status") != "" && strings.HasPrefix(object.value("code"), `"`)
}

// wholeNumber reports whether the JSON text value is a number with a whole value (5 or
// 5.0) and returns it, or -1 when it is out of the range of gRPC codes' type.
func wholeNumber(value string) (int, bool) {
	if !isNumber(value) {
		return 0, false
	}
	f, err := strconv.ParseFloat(value, 64)
	if err != nil || f != math.Trunc(f) {
		return 0, false
	}
	if f < 0 || f > math.MaxInt32 {
		return -1, true
	}
	return int(f), true
}

// gatewayText reads the message of a gateway status (contract 1.3.1).
func gatewayText(e *APIError, text string) wireError {
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
		return wireError{} // the registry's message, else the status text
	}
	if message, ok := strings.CutPrefix(digits[n:], ": "); ok {
		setCode(e, rest[:module]+":"+digits[:n])
		return said(message)
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
	if entry := fillDefaults(e, w); !w.hasMessage && entry == nil {
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
func codeAtStart(e *APIError, text string) wireError {
	module := moduleLen(text)
	if module > 0 && module < len(text) && text[module] == ':' {
		n := digitsLen(text[module+1:])
		end := module + 1 + n
		if message, ok := strings.CutPrefix(text[end:], ": "); ok && n > 0 {
			setCode(e, text[:end])
			return said(message)
		}
	}
	return said(text)
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
func fillDefaults(e *APIError, w wireError) *Code {
	var code *Code
	if e.HasNumber {
		code, _ = lookupNumber(e.Module, e.Number)
	}
	row, inTable := statusTable[e.HTTPStatus]
	fromTable := false
	switch {
	case w.hasCategory:
		e.Category = Category(w.category)
	case code != nil:
		e.Category = code.category
	case w.grpcCategory != "":
		e.Category = w.grpcCategory
	default:
		e.Category, fromTable = row.category, true
	}
	defaults, knownCategory := categoryDefaults[e.Category]
	switch {
	case w.hasRetryable:
		e.Retryable = w.retryable
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
	case w.hasSeverity:
		e.Severity = Severity(w.severity)
	case code != nil:
		e.Severity = code.severity
	case knownCategory:
		e.Severity = defaults.severity
	default:
		e.Severity = SeverityError
	}
	switch {
	case w.hasMessage:
		e.Message = w.message
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
// The name is in canonical form (http.CanonicalHeaderKey), so the map is read directly.
func headerValue(header http.Header, name string) string {
	return strings.Join(header[name], ", ")
}

// firstValue is the first value of the header name, as header.Get(name) is; the name is
// in canonical form, so the map is read directly.
func firstValue(header http.Header, name string) string {
	if values := header[name]; len(values) > 0 {
		return values[0]
	}
	return ""
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
	if value == "" || !('a' <= value[0]|0x20 && value[0]|0x20 <= 'z') {
		return time.Time{}, false // each form starts with a day name: spare time.Parse's errors
	}
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
