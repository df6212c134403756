package veerrors

import (
	"encoding/json"
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
	if codespace == "" {
		codespace = undefinedCodespace
	}
	e := &APIError{Shape: ShapeABCI, Severity: SeverityError, Attempts: 1}
	setCode(e, codespace+":"+strconv.FormatUint(uint64(code), 10))
	entry, known := Lookup(e.Code)
	if known {
		e.Category, e.Severity, e.Retryable = entry.Category, entry.Severity, entry.Retryable
	}
	switch {
	case strings.TrimSpace(log) != "":
		e.Message = log
	case known:
		e.Message = entry.Message
	default:
		e.Message = e.Code
	}
	return typed(e)
}

// FromTxResponse returns the error of a broadcast or transaction query response body:
// when it is a JSON object whose "tx_response" member holds an integer "code", that
// code with the string "codespace" and "raw_log" go to FromABCI. Code 0, any other
// shape and invalid JSON give nil.
func FromTxResponse(body []byte) error {
	object, ok := jsonObject(validText(body))
	if !ok {
		return nil
	}
	result, ok := object["tx_response"].(map[string]any)
	if !ok {
		return nil
	}
	number, ok := result["code"].(json.Number)
	if !ok {
		return nil
	}
	code, err := strconv.ParseUint(string(number), 10, 32)
	if err != nil {
		return nil // a fraction, an exponent, a sign or more than 32 bits: no ABCI code
	}
	codespace, _ := result["codespace"].(string)
	log, _ := result["raw_log"].(string)
	return FromABCI(codespace, uint32(code), log)
}
