// The models oapi-codegen generates from the error document alone (skip-prune: the
// document has no paths), written beside this file by tests/openapi/test_oapi_codegen.py.
package errdoc

import (
	"encoding/json"
	"testing"
)

func TestOpenBodies(t *testing.T) {
	var body AnyErrorBody
	raw := `{"error":{"code":"veid:9999","category":"quota","severity":"notice"}}`
	if err := json.Unmarshal([]byte(raw), &body); err != nil {
		t.Fatal(err)
	}
	envelope, err := body.AsErrorEnvelope()
	if err != nil {
		t.Fatal(err)
	}
	if envelope.Error.Code != "veid:9999" || envelope.Error.Category == nil {
		t.Fatalf("envelope not decoded: %+v", envelope)
	}
	category, err := envelope.Error.Category.AsCategory1()
	if err != nil || category != "quota" || KnownCategory(category).Valid() {
		t.Errorf("category %q (%v): an unknown category must be kept as sent", category, err)
	}
	if !KnownCategoryNotFound.Valid() || !KnownErrorCode("veid:1019").Valid() {
		t.Error("the known values are listed")
	}
	status, err := body.AsGatewayStatus()
	if err == nil && status.Message != "" {
		t.Errorf("an envelope read as a gateway status: %+v", status)
	}
}
