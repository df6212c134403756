module github.com/virtengine/virtengine-errors/tests/clients/go

go 1.22

require github.com/virtengine/virtengine-errors/clients/go v0.0.0

replace github.com/virtengine/virtengine-errors/clients/go => ../../../clients/go
