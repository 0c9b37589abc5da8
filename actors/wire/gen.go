// Package wire holds the protobuf messages Lockstep sends between processes.
//
// The Go code is generated from the .proto files in this directory and is
// committed; `go generate ./...` regenerates it with Debian's protoc
// (package protobuf-compiler) and the protoc-gen-go pinned as a tool in go.mod.
package wire

//go:generate sh -c "protoc --plugin=protoc-gen-go=$(go tool -n protoc-gen-go) --go_out=paths=source_relative:. *.proto"
