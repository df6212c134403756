// Command scanner reads the error registrations of a Go source tree with the Go
// toolchain's own parser and type checker, and prints them as one JSON document.
//
// It is shipped with errcodegen and run by `errcodegen import-go` and
// `errcodegen drift`; the Python side turns its output into registry entries.
//
// Usage:
//
//	scanner PATH...
//
// A registration is a package-level variable initialised by a call to Register,
// RegisterWithGRPCCode or NewCodedError of an errors package (an import whose
// path ends in "errors", under any alias):
//
//	ErrX = errorsmod.Register(ModuleName, 1036, "ML inference failed")
//	ErrY = errors.Register("artifact_store", 2503, "artifact not found")
//	ErrZ = errors.NewCodedError(smsModule, 5, "challenge not found", errors.CategoryNotFound)
//	ErrW = sdkerrors.RegisterWithGRPCCode(ModuleName, errNotFound, codes.NotFound, "not found")
//
// Arguments may be any constant expression the type checker evaluates: typed
// constants, iota blocks with offsets, constants of other files of the package or
// of another package of the scanned tree. Files the Go tool does not build are
// left out and listed: _test.go files, files whose build constraint needs the
// "ignore" tag, and testdata, vendor, .x and _x folders.
//
// Every call that looks like a registration but cannot be read is reported:
// as an error when it is a package-level registration whose arguments are not
// constants, as a finding when it is not a package-level registration at all
// (inside a function, or nested in another expression).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/constant"
	"go/parser"
	goscanner "go/scanner"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Output is the JSON document the scanner prints.
type Output struct {
	Files         []string       `json:"files"`
	Skipped       []Skipped      `json:"skipped"`
	Registrations []Registration `json:"registrations"`
	Findings      []Problem      `json:"findings"`
	Errors        []Problem      `json:"errors"`
}

// Skipped is a Go file the Go tool would not build.
type Skipped struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// Registration is one package-level registration, its arguments evaluated.
type Registration struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Symbol   string `json:"symbol"`
	Shape    string `json:"shape"` // Register, RegisterWithGRPCCode or NewCodedError
	Module   string `json:"module"`
	Number   uint64 `json:"number"`
	Message  string `json:"message"`
	Category string `json:"category"`  // as the source states it; "" when it does not
	GRPCCode string `json:"grpc_code"` // the gRPC status code's name; "" when none is named
	Doc      string `json:"doc"`       // the registration's own doc comment, markers removed
}

// Problem is one line about a file.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

var registerFuncs = map[string]int{"Register": 3, "RegisterWithGRPCCode": 4, "NewCodedError": 4}

// grpcNames are the names of the gRPC status codes by number (google.golang.org/grpc/codes).
var grpcNames = []string{
	"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
	"AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
	"OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scanner PATH...")
		os.Exit(2)
	}
	s := newScanner()
	for _, arg := range os.Args[1:] {
		if err := s.add(arg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	out := s.run()
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

type file struct {
	path     string
	src      []byte
	ast      *ast.File
	parseErr error
}

type pkg struct {
	dir         string
	files       []*file // buildable files, parsed lazily
	interesting bool    // some file mentions a registration function
	checked     *types.Package
	info        *types.Info
	checking    bool
	loaded      bool
}

type scanner struct {
	fset     *token.FileSet
	given    map[string]bool // folders and files named on the command line (absolute)
	dirs     map[string]*pkg // by absolute folder
	order    []string
	modules  map[string]string // go.mod module path -> folder
	skipped  []Skipped
	errs     []Problem
	findings []Problem
}

func newScanner() *scanner {
	return &scanner{
		fset:    token.NewFileSet(),
		given:   map[string]bool{},
		dirs:    map[string]*pkg{},
		modules: map[string]string{},
	}
}

// add records the Go files under path (a file or a folder).
func (s *scanner) add(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("%s: no such file or folder", path)
	}
	s.findModules(abs)
	if !info.IsDir() {
		if !strings.HasSuffix(abs, ".go") {
			return fmt.Errorf("%s: not a Go file", path)
		}
		s.addFile(abs)
		return nil
	}
	return filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != abs && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				s.readModule(p)
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") {
			s.addFile(p)
		}
		return nil
	})
}

// findModules records the go.mod files from path up to the root.
func (s *scanner) findModules(path string) {
	for dir := path; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			s.readModule(dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return
		}
		dir = parent
	}
}

func (s *scanner) readModule(dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "module" {
			path, err := strconv.Unquote(fields[1])
			if err != nil {
				path = fields[1]
			}
			s.modules[path] = dir
			return
		}
	}
}

func (s *scanner) addFile(path string) {
	if s.given[path] {
		return
	}
	s.given[path] = true
	if strings.HasSuffix(path, "_test.go") {
		s.skipped = append(s.skipped, Skipped{path, "test file"})
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		s.errs = append(s.errs, Problem{path, 0, "cannot read: " + err.Error()})
		return
	}
	if reason := buildSkipReason(src); reason != "" {
		s.skipped = append(s.skipped, Skipped{path, reason})
		return
	}
	dir := filepath.Dir(path)
	p := s.dirs[dir]
	if p == nil {
		p = &pkg{dir: dir}
		s.dirs[dir] = p
		s.order = append(s.order, dir)
	}
	f := &file{path: path, src: src}
	p.files = append(p.files, f)
	for name := range registerFuncs {
		if bytes.Contains(src, []byte(name+"(")) {
			p.interesting = true
		}
	}
}

// run parses and type-checks every package that mentions a registration function.
func (s *scanner) run() Output {
	var work []*pkg
	for _, dir := range s.order {
		if s.dirs[dir].interesting {
			work = append(work, s.dirs[dir])
		}
	}
	// Parse in parallel; type-check in order (imports of local packages recurse).
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, p := range work {
		for _, f := range p.files {
			wg.Add(1)
			sem <- struct{}{}
			go func(f *file) {
				defer wg.Done()
				defer func() { <-sem }()
				s.parse(f)
			}(f)
		}
	}
	wg.Wait()
	var regs []Registration
	for _, p := range work {
		if !s.readable(p) {
			continue
		}
		s.check(p)
		regs = append(regs, s.registrations(p)...)
	}
	out := Output{Registrations: regs, Skipped: s.skipped, Errors: s.errs, Findings: s.findings}
	for _, dir := range s.order {
		for _, f := range s.dirs[dir].files {
			out.Files = append(out.Files, f.path)
		}
	}
	sort.Strings(out.Files)
	sort.Slice(out.Skipped, func(i, j int) bool { return out.Skipped[i].File < out.Skipped[j].File })
	for _, list := range [][]Problem{out.Errors, out.Findings} {
		sort.SliceStable(list, func(i, j int) bool {
			if list[i].File != list[j].File {
				return list[i].File < list[j].File
			}
			return list[i].Line < list[j].Line
		})
	}
	if out.Files == nil {
		out.Files = []string{}
	}
	for _, empty := range []*[]Problem{&out.Errors, &out.Findings} {
		if *empty == nil {
			*empty = []Problem{}
		}
	}
	if out.Skipped == nil {
		out.Skipped = []Skipped{}
	}
	if out.Registrations == nil {
		out.Registrations = []Registration{}
	}
	return out
}

func (s *scanner) parse(f *file) {
	if f.ast != nil || f.parseErr != nil {
		return
	}
	if !utf8.Valid(f.src) {
		offset := 0
		for offset < len(f.src) {
			r, size := utf8.DecodeRune(f.src[offset:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			offset += size
		}
		f.parseErr = fmt.Errorf("cannot read: not UTF-8 (invalid byte 0x%02x at offset %d)", f.src[offset], offset)
		return
	}
	parsed, err := parser.ParseFile(s.fset, f.path, f.src, parser.ParseComments|parser.SkipObjectResolution)
	f.ast, f.parseErr = parsed, err
}

// readable reports (as errors) the files of p that do not parse; false if any.
func (s *scanner) readable(p *pkg) bool {
	ok := true
	for _, f := range p.files {
		if f.parseErr == nil {
			continue
		}
		ok = false
		line, msg := 0, f.parseErr.Error()
		var list goscanner.ErrorList
		if errors.As(f.parseErr, &list) && len(list) > 0 {
			line, msg = list[0].Pos.Line, list[0].Msg
		}
		s.errs = append(s.errs, Problem{f.path, line, msg})
	}
	return ok
}

// load parses the files of a package reached through an import.
func (s *scanner) load(p *pkg) bool {
	if !p.loaded {
		p.loaded = true
		for _, f := range p.files {
			s.parse(f)
		}
	}
	for _, f := range p.files {
		if f.parseErr != nil {
			return false
		}
	}
	return true
}

// check type-checks p; imports of packages in the scanned tree (or beside it,
// in a module whose go.mod was found) are type-checked too, others are left
// unresolved: the constants a registration uses do not come from them.
func (s *scanner) check(p *pkg) *types.Package {
	if p.checked != nil || p.checking {
		return p.checked
	}
	p.checking = true
	defer func() { p.checking = false }()
	if !s.load(p) {
		return nil
	}
	files := s.mainFiles(p)
	if len(files) == 0 {
		return nil
	}
	conf := types.Config{
		Importer:         importerFunc(s.importPackage),
		Error:            func(error) {},
		IgnoreFuncBodies: true,
		FakeImportC:      true,
	}
	p.info = &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	pkgPath := s.importPath(p.dir)
	checked, _ := conf.Check(pkgPath, s.fset, files, p.info)
	p.checked = checked
	return checked
}

// mainFiles are the package's files of its most common package name (a folder
// may hold a "package main" tool beside the library behind build tags).
func (s *scanner) mainFiles(p *pkg) []*ast.File {
	count := map[string]int{}
	for _, f := range p.files {
		if f.ast != nil {
			count[f.ast.Name.Name]++
		}
	}
	best := ""
	for name, n := range count {
		if n > count[best] || (n == count[best] && name < best) {
			best = name
		}
	}
	var files []*ast.File
	for _, f := range p.files {
		if f.ast != nil && f.ast.Name.Name == best {
			files = append(files, f.ast)
		}
	}
	return files
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func (s *scanner) importPackage(path string) (*types.Package, error) {
	dir := s.folderOf(path)
	if dir == "" {
		return nil, fmt.Errorf("%s: not in the scanned tree", path)
	}
	p := s.dirs[dir]
	if p == nil {
		p = s.readFolder(dir)
		if p == nil {
			return nil, fmt.Errorf("%s: no Go files", path)
		}
	}
	checked := s.check(p)
	if checked == nil {
		return nil, fmt.Errorf("%s: cannot load", path)
	}
	return checked, nil
}

// readFolder reads a package outside the given paths (an import of a scanned one).
func (s *scanner) readFolder(dir string) *pkg {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	p := &pkg{dir: dir}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") ||
			strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || buildSkipReason(src) != "" {
			continue
		}
		p.files = append(p.files, &file{path: filepath.Join(dir, name), src: src})
	}
	if len(p.files) == 0 {
		return nil
	}
	s.dirs[dir] = p
	return p
}

// folderOf maps an import path to a folder through the go.mod files found.
func (s *scanner) folderOf(path string) string {
	best, bestDir := "", ""
	for mod, dir := range s.modules {
		if (path == mod || strings.HasPrefix(path, mod+"/")) && len(mod) > len(best) {
			best, bestDir = mod, dir
		}
	}
	if best == "" {
		return ""
	}
	dir := filepath.Join(bestDir, filepath.FromSlash(strings.TrimPrefix(path, best)))
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

func (s *scanner) importPath(dir string) string {
	best, bestDir := "", ""
	for mod, d := range s.modules {
		if (dir == d || strings.HasPrefix(dir, d+string(filepath.Separator))) && len(d) > len(bestDir) {
			best, bestDir = mod, d
		}
	}
	if bestDir == "" {
		return filepath.ToSlash(dir)
	}
	rel, _ := filepath.Rel(bestDir, dir)
	if rel == "." {
		return best
	}
	return best + "/" + filepath.ToSlash(rel)
}

// registrations finds every registration call in p's files.
func (s *scanner) registrations(p *pkg) []Registration {
	var regs []Registration
	for _, f := range p.files {
		if f.ast == nil {
			continue
		}
		aliases := errorsAliases(f.ast)
		grpc := grpcAliases(f.ast)
		direct := map[*ast.CallExpr]bool{}
		for _, decl := range f.ast.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, value := range vs.Values {
					call, shape := registrationCall(value, aliases)
					if call == nil {
						continue
					}
					direct[call] = true
					if i >= len(vs.Names) {
						continue
					}
					doc := vs.Doc
					if doc == nil && !gen.Lparen.IsValid() {
						doc = gen.Doc
					}
					reg, problem := s.read(p, f, vs.Names[i].Name, shape, call, doc, grpc)
					if problem != "" {
						s.errs = append(s.errs, Problem{f.path, s.fset.Position(call.Pos()).Line, problem})
						continue
					}
					regs = append(regs, reg)
				}
			}
		}
		// Every other call of a registration function is named, never skipped silently.
		ast.Inspect(f.ast, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || direct[call] {
				return true
			}
			if c, shape := registrationCall(call, aliases); c != nil {
				where := "nested in an expression"
				if fn := enclosingFunc(f.ast, call.Pos()); fn != "" {
					where = "inside function " + fn
				}
				s.findings = append(s.findings, Problem{
					f.path, s.fset.Position(call.Pos()).Line,
					fmt.Sprintf("%s call %s: not a package-level registration; not imported", shape, where),
				})
			}
			return true
		})
	}
	return regs
}

func enclosingFunc(f *ast.File, pos token.Pos) string {
	for _, decl := range f.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Pos() <= pos && pos < fn.End() {
			return fn.Name.Name
		}
	}
	return ""
}

// errorsAliases are the names under which the file imports an errors package.
func errorsAliases(f *ast.File) map[string]bool {
	aliases := map[string]bool{}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil || !strings.HasSuffix(path, "/errors") {
			continue
		}
		name := "errors"
		if imp.Name != nil {
			name = imp.Name.Name
		}
		if name != "_" && name != "." {
			aliases[name] = true
		}
	}
	return aliases
}

func grpcAliases(f *ast.File) map[string]bool {
	aliases := map[string]bool{}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil || path != "google.golang.org/grpc/codes" {
			continue
		}
		name := "codes"
		if imp.Name != nil {
			name = imp.Name.Name
		}
		aliases[name] = true
	}
	return aliases
}

func registrationCall(e ast.Expr, aliases map[string]bool) (*ast.CallExpr, string) {
	for {
		paren, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = paren.X
	}
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return nil, ""
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil, ""
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok || !aliases[x.Name] {
		return nil, ""
	}
	if _, known := registerFuncs[sel.Sel.Name]; !known {
		return nil, ""
	}
	return call, sel.Sel.Name
}

func (s *scanner) read(p *pkg, f *file, symbol, shape string, call *ast.CallExpr, doc *ast.CommentGroup, grpc map[string]bool) (Registration, string) {
	prefix := fmt.Sprintf("%s = ...%s(...): ", symbol, shape)
	if len(call.Args) != registerFuncs[shape] || call.Ellipsis.IsValid() {
		return Registration{}, fmt.Sprintf("%s%d argument(s), want %d", prefix, len(call.Args), registerFuncs[shape])
	}
	reg := Registration{
		File: f.path, Line: s.fset.Position(call.Pos()).Line, Symbol: symbol, Shape: shape,
		Doc: docText(doc),
	}
	messageArg := 2
	var ok bool
	if reg.Module, ok = s.stringValue(p, call.Args[0]); !ok {
		return reg, prefix + "the module name is not a string constant" + s.why(p, call.Args[0])
	}
	if reg.Number, ok = s.intValue(p, call.Args[1]); !ok {
		return reg, prefix + "the code number is not an integer constant" + s.why(p, call.Args[1])
	}
	switch shape {
	case "RegisterWithGRPCCode":
		messageArg = 3
		if reg.GRPCCode, ok = s.grpcCode(p, call.Args[2], grpc); !ok {
			return reg, prefix + "cannot read the gRPC code argument"
		}
	case "NewCodedError":
		if reg.Category, ok = s.category(p, call.Args[3]); !ok {
			return reg, prefix + "cannot read the category argument"
		}
	}
	if reg.Message, ok = s.stringValue(p, call.Args[messageArg]); !ok {
		return reg, prefix + "the message is not a string constant" + s.why(p, call.Args[messageArg])
	}
	return reg, ""
}

// why names an identifier the type checker could not resolve, if that is the reason.
func (s *scanner) why(p *pkg, e ast.Expr) string {
	var name string
	ast.Inspect(e, func(n ast.Node) bool {
		if name != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok {
				if tv, ok := p.info.Types[n]; !ok || tv.Value == nil {
					name = x.Name + "." + n.Sel.Name
				}
			}
			return false
		case *ast.Ident:
			if tv, ok := p.info.Types[n]; !ok || (tv.Value == nil && tv.Type == nil) {
				name = n.Name
			}
		}
		return true
	})
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" (cannot resolve %s)", name)
}

func (s *scanner) value(p *pkg, e ast.Expr) constant.Value {
	if p.info == nil {
		return nil
	}
	tv, ok := p.info.Types[e]
	if !ok {
		return nil
	}
	return tv.Value
}

func (s *scanner) stringValue(p *pkg, e ast.Expr) (string, bool) {
	v := s.value(p, e)
	if v == nil || v.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(v), true
}

func (s *scanner) intValue(p *pkg, e ast.Expr) (uint64, bool) {
	v := s.value(p, e)
	if v == nil {
		return 0, false
	}
	v = constant.ToInt(v)
	if v.Kind() != constant.Int {
		return 0, false
	}
	n, exact := constant.Uint64Val(v)
	return n, exact
}

func (s *scanner) grpcCode(p *pkg, e ast.Expr, aliases map[string]bool) (string, bool) {
	if sel, ok := e.(*ast.SelectorExpr); ok {
		if x, ok := sel.X.(*ast.Ident); ok && aliases[x.Name] {
			return sel.Sel.Name, true
		}
	}
	if n, ok := s.intValue(p, e); ok && n < uint64(len(grpcNames)) {
		return grpcNames[n], true
	}
	return "", false
}

// category reads NewCodedError's category: a string constant, or a Category*
// constant of the errors package when that package was not scanned.
func (s *scanner) category(p *pkg, e ast.Expr) (string, bool) {
	if v, ok := s.stringValue(p, e); ok {
		return v, true
	}
	if sel, ok := e.(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Category") && len(sel.Sel.Name) > len("Category") {
		return snake(strings.TrimPrefix(sel.Sel.Name, "Category")), true
	}
	return "", false
}

func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func docText(doc *ast.CommentGroup) string {
	if doc == nil {
		return ""
	}
	return strings.TrimSpace(doc.Text())
}

// buildSkipReason says why the Go tool never builds a file, or "" when some build does.
func buildSkipReason(src []byte) string {
	for _, line := range constraintLines(src) {
		expr, err := constraint.Parse(line)
		if err != nil {
			continue
		}
		if !satisfiable(expr) {
			text := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, "//go:build"), "//"))
			return fmt.Sprintf("build constraint %q", text)
		}
		if constraint.IsGoBuild(line) {
			return "" // a //go:build line supersedes // +build lines
		}
	}
	return ""
}

// constraintLines are the //go:build and // +build lines before the package clause.
func constraintLines(src []byte) []string {
	var lines []string
	goBuild := ""
	inBlock := false
	for len(src) > 0 {
		var line []byte
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			line, src = src, nil
		}
		text := strings.TrimSpace(string(line))
		switch {
		case inBlock:
			if strings.Contains(text, "*/") {
				inBlock = false
			}
		case text == "":
		case strings.HasPrefix(text, "/*"):
			inBlock = !strings.Contains(text[2:], "*/")
		case strings.HasPrefix(text, "//"):
			if constraint.IsGoBuild(text) {
				if goBuild == "" {
					goBuild = text
				}
			} else if constraint.IsPlusBuild(text) {
				lines = append(lines, text)
			}
		default:
			if goBuild != "" {
				return []string{goBuild}
			}
			return lines
		}
	}
	if goBuild != "" {
		return []string{goBuild}
	}
	return lines
}

// neverSet are tags no build sets: a file that needs one is never compiled.
var neverSet = map[string]bool{"ignore": true}

// satisfiable reports whether some build compiles a file with this constraint.
// Every tag but the never-set ones is unknown (an OS, an architecture, a
// feature); a file built under some configuration registers real codes, so an
// unknown tag and its negation both count as true.
func satisfiable(expr constraint.Expr) bool {
	switch e := expr.(type) {
	case *constraint.TagExpr:
		return !neverSet[e.Tag]
	case *constraint.NotExpr:
		if _, isTag := e.X.(*constraint.TagExpr); isTag {
			return true
		}
		return !satisfiable(e.X)
	case *constraint.AndExpr:
		return satisfiable(e.X) && satisfiable(e.Y)
	case *constraint.OrExpr:
		return satisfiable(e.X) || satisfiable(e.Y)
	}
	return true
}
