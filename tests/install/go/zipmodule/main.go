// Command zipmodule writes a Go module the way a module proxy serves it, in a folder that
// works as GOPROXY=file://<folder>:
//
//	<folder>/<escaped module path>/@v/<version>.zip   the module zip (golang.org/x/mod/zip)
//	<folder>/<escaped module path>/@v/<version>.mod   the go.mod file
//	<folder>/<escaped module path>/@v/<version>.info  {"Version": ..., "Time": ...}
//	<folder>/<escaped module path>/@v/list            the versions, one a line
//
// Usage: zipmodule -dir clients/go -version v1.2.3 -time 2024-01-02T03:04:05Z -out dist/go
//
// The module path is the one dir's go.mod declares. The zip holds the files a
// `go mod download` of the tagged module would: the size, name and layout rules of the
// module zip format are checked by zip.CreateFromDir, which refuses anything else. Entries
// carry no timestamps, so the same files always give the same bytes.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/zip"
)

func main() {
	dir := flag.String("dir", "", "the module's folder (holds go.mod)")
	version := flag.String("version", "", "the version, vX.Y.Z")
	stamp := flag.String("time", "", "the version's time for the .info file, RFC 3339")
	out := flag.String("out", "", "the proxy folder to write into")
	flag.Parse()
	if *dir == "" || *version == "" || *stamp == "" || *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	written, err := write(*dir, *version, *stamp, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "zipmodule:", err)
		os.Exit(1)
	}
	for _, path := range written {
		fmt.Println(path)
	}
}

func write(dir, version, stamp, out string) ([]string, error) {
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil, err
	}
	path := modfile.ModulePath(goMod)
	if path == "" {
		return nil, fmt.Errorf("%s/go.mod declares no module path", dir)
	}
	if semver.Canonical(version) != version || semver.Prerelease(version) != "" {
		return nil, fmt.Errorf("version %q is not a release vX.Y.Z", version)
	}
	m := module.Version{Path: path, Version: version}
	// The major version suffix must agree with the version (v2+ needs /vN).
	if err := module.Check(m.Path, m.Version); err != nil {
		return nil, err
	}
	when, err := time.Parse(time.RFC3339, stamp)
	if err != nil {
		return nil, fmt.Errorf("time: %w", err)
	}
	escaped, err := module.EscapePath(path)
	if err != nil {
		return nil, err
	}
	folder := filepath.Join(out, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return nil, err
	}

	var archive bytes.Buffer
	if err := zip.CreateFromDir(&archive, m, dir); err != nil {
		return nil, err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, when.UTC()})
	if err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
	}{
		{version + ".zip", archive.Bytes()},
		{version + ".mod", goMod},
		{version + ".info", append(info, '\n')},
		{"list", []byte(version + "\n")},
	}
	written := make([]string, 0, len(files))
	for _, f := range files {
		target := filepath.Join(folder, f.name)
		if err := os.WriteFile(target, f.data, 0o644); err != nil {
			return nil, err
		}
		written = append(written, target)
	}
	return written, nil
}
