package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/lockstep-actors/lockstep/examples/kvstore/replica"
	"github.com/lockstep-actors/lockstep/examples/kvstore/store"
)

// httpDoer calls a replica's HTTP API; it is a replica.Doer.
type httpDoer struct {
	base string // http://host:port
	c    *http.Client
}

func newHTTPDoer(addr string) *httpDoer {
	return &httpDoer{base: "http://" + addr, c: &http.Client{Timeout: callTimeout + 2e9}}
}

// Do posts op to /op. A reply the replica gave maps to its outcome; a
// transport failure after the request may have left is Unknown.
func (h *httpDoer) Do(ctx context.Context, op store.Op) (store.Result, error) {
	body, _ := json.Marshal(op)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/op", bytes.NewReader(body))
	if err != nil {
		return store.Result{}, fmt.Errorf("%w: %w", replica.ErrRefused, err)
	}
	resp, err := h.c.Do(req)
	if err != nil {
		return store.Result{}, fmt.Errorf("%w: %w", replica.ErrUnknown, err)
	}
	defer resp.Body.Close()
	var out wireResult
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return store.Result{}, fmt.Errorf("%w: %s: %w", replica.ErrUnknown, resp.Status, err)
	}
	switch out.Outcome {
	case "refused":
		return store.Result{}, fmt.Errorf("%w: %s", replica.ErrRefused, out.Error)
	case "unknown":
		return store.Result{}, fmt.Errorf("%w: %s", replica.ErrUnknown, out.Error)
	}
	return store.Result{Value: out.Value, Found: out.Found, OK: out.OK}, nil
}

// clientMain is `kvstore client [-addr host:port] get|put|delete|cas|status ...`.
func clientMain(args []string) int {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "HTTP address of a replica")
	_ = fs.Parse(args)
	a := fs.Args()
	usage := func() int {
		fmt.Fprintln(os.Stderr, "usage: kvstore client [-addr host:port] get KEY | put KEY VALUE | delete KEY | cas KEY EXPECTED NEW | status")
		return 2
	}
	if len(a) == 0 {
		return usage()
	}
	if a[0] == "status" {
		resp, err := http.Get("http://" + *addr + "/status")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer resp.Body.Close()
		_, _ = io.Copy(os.Stdout, resp.Body)
		return 0
	}
	var op store.Op
	switch {
	case a[0] == "get" && len(a) == 2:
		op = store.Op{Kind: store.Get, Key: a[1]}
	case a[0] == "put" && len(a) == 3:
		op = store.Op{Kind: store.Put, Key: a[1], Value: a[2]}
	case a[0] == "delete" && len(a) == 2:
		op = store.Op{Kind: store.Delete, Key: a[1]}
	case a[0] == "cas" && len(a) == 4:
		op = store.Op{Kind: store.CAS, Key: a[1], Expect: a[2], Value: a[3]}
	default:
		return usage()
	}
	res, err := newHTTPDoer(*addr).Do(context.Background(), op)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	switch {
	case op.Kind == store.Get && !res.Found:
		fmt.Println("(not found)")
		return 1
	case op.Kind == store.Get:
		fmt.Println(res.Value)
	case op.Kind == store.CAS && !res.OK:
		fmt.Printf("cas failed: the key holds %q (found %v)\n", res.Value, res.Found)
		return 1
	default:
		fmt.Printf("ok (previous value %q, found %v)\n", res.Value, res.Found)
	}
	return 0
}
