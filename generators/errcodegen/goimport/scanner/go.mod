module github.com/virtengine/virtengine-errors/generators/errcodegen/goimport/scanner

go 1.22
