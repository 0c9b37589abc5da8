// Package kvpb holds the wire messages of the kvstore example. The Go code is
// generated from kv.proto and committed; `go generate` regenerates it.
package kvpb

//go:generate sh -c "protoc --plugin=protoc-gen-go=$(go tool -n protoc-gen-go) --go_out=paths=source_relative:. *.proto"
