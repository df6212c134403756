package veerrors

import (
	"math"
	"strconv"
	"strings"
)

// undefinedCodespace is how the Cosmos SDK names the codespace of an error without one.
const undefinedCodespace = "undefined"

// FromABCI returns the error of a transaction result: nil for code 0, else the error of
// the code "<codespace>:<code>" (an empty codespace is "undefined"). A registered code
// gives its category's type, severity and retryability; any other code gives a
// non-retryable *APIError. The message is log, or the registry's message when log is
// blank. The error has no HTTP status (0) and its Shape is ShapeABCI.
//
// The chain answers a transaction it rejects with HTTP 200, so the transport never
// sees these failures; call FromABCI (or FromTxResponse) on the result.
func FromABCI(codespace string, code uint32, log string) error {
	if code == 0 {
		return nil
	}
	return typed(abciError(codespace, code, log))
}

func abciError(codespace string, code uint32, log string) *APIError {
	if codespace == "" {
		codespace = undefinedCodespace
	}
	e := &APIError{Shape: ShapeABCI, Severity: SeverityError, Attempts: 1}
	setCode(e, codespace+":"+strconv.FormatUint(uint64(code), 10))
	entry, known := Lookup(e.Code)
	if known {
		e.Category, e.Severity, e.Retryable = entry.category, entry.severity, entry.retryable
	}
	switch {
	case strings.Trim(log, asciiSpace) != "":
		e.Message = log
	case known:
		e.Message = entry.message
	default:
		e.Message = e.Code
	}
	return e
}

// FromTxResponse returns the error of a broadcast or transaction query response body:
// when it is a JSON object whose "tx_response" member holds an integer "code" (1000 or
// 1000.0), that code with the string "codespace" and "raw_log" go to FromABCI, and the
// error keeps body as its RawBody. Code 0, a code outside uint32, any other shape and
// invalid JSON give nil.
func FromTxResponse(body []byte) error {
	object, ok := parseObject(validText(body), nil)
	if !ok {
		return nil
	}
	result, ok := object.object("tx_response", nil)
	if !ok {
		return nil
	}
	number := result.value("code")
	if !isNumber(number) {
		return nil
	}
	code, err := strconv.ParseFloat(number, 64)
	if err != nil || code != math.Trunc(code) || code < 1 || code > math.MaxUint32 {
		return nil // not a whole number, or outside the ABCI codes (uint32) of a failure
	}
	codespace, _ := result.str("codespace")
	log, _ := result.str("raw_log")
	e := abciError(codespace, uint32(code), log)
	e.RawBody = body
	return typed(e)
}
