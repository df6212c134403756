module github.com/virtengine/virtengine-errors/clients/go

go 1.22
