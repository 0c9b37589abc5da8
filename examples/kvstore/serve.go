package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/faults"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/examples/kvstore/replica"
	"github.com/lockstep-actors/lockstep/examples/kvstore/store"
	"github.com/lockstep-actors/lockstep/membership"
	"github.com/lockstep-actors/lockstep/ordering/layer"
)

// serveConfig is one replica of a multi-process deployment.
type serveConfig struct {
	Listen string // host:port of the replica's node
	Join   string // comma-separated seed addresses; empty founds a group
	HTTP   string // host:port of the HTTP API; empty for none
	Class  layer.Class
	// SuspectTicks overrides the suspicion timeout (5 ms ticks); 0: 60.
	SuspectTicks int64
	// Faults, if set, is injected into the replica (tests).
	Faults *faults.Spec
	// Stop ends serving; nil serves until the process is stopped.
	Stop <-chan struct{}
}

// replicaName is the actor name of every replica, so a bare seed address
// names the replica on that node.
const replicaName = "kv"

// callTimeout bounds one HTTP call's wait for its command to be applied.
const callTimeout = 3 * time.Second

// errRemoved: the replica was removed from the group (it crashed, or was
// suspected, e.g. for being slow) and must be restarted to join again as a
// new process.
var errRemoved = errors.New("the replica is out of the group; restart it to join again")

// serve runs one replica and its HTTP API until cfg.Stop closes. ready, if
// set, is told the replica's node address and the HTTP address.
func serve(cfg serveConfig, out io.Writer, ready func(addr, httpAddr string)) error {
	host, portStr, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", cfg.Listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", cfg.Listen, err)
	}
	node, err := actors.NewNode(actors.DefaultConfig(), actors.WithRemote(host, port))
	if err != nil {
		return err
	}
	defer node.Close()
	suspect := cfg.SuspectTicks
	if suspect == 0 {
		suspect = 60
	}
	mc := replica.MembershipConfig(replicaName, 5*time.Millisecond, suspect)
	if cfg.Join == "" {
		mc.Members = []history.ProcessID{node.ProcessID(replicaName)}
	} else {
		mc.Seeds = strings.Split(cfg.Join, ",")
	}
	rcfg := replica.DefaultConfig()
	rcfg.Class = cfg.Class
	var opts []membership.Option
	if cfg.Faults != nil {
		f, err := node.NewFaults(*cfg.Faults)
		if err != nil {
			return err
		}
		opts = append(opts, membership.WithFaults(f))
	}
	r, err := replica.Start(node, rcfg, mc, opts...)
	if err != nil {
		return err
	}
	httpAddr := ""
	if cfg.HTTP != "" {
		ln, err := net.Listen("tcp", cfg.HTTP)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: api(r), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		httpAddr = ln.Addr().String()
	}
	fmt.Fprintf(out, "replica %s: %s; HTTP API on %q\n", r.ID(), map[bool]string{true: "founded the group", false: "joining through " + cfg.Join}[cfg.Join == ""], httpAddr)
	if ready != nil {
		ready(node.Address(), httpAddr)
	}
	views := time.NewTicker(100 * time.Millisecond)
	defer views.Stop()
	var last uint64
	for {
		select {
		case <-cfg.Stop:
			return nil
		case <-r.Group().Done():
			return errRemoved
		case <-views.C:
			if v := r.Group().View(); v != nil && v.ID != last {
				last = v.ID
				fmt.Fprintf(out, "view %d: %v\n", v.ID, v.Members)
			}
		}
	}
}

// wireResult is the JSON form of a call's answer.
type wireResult struct {
	Value   string `json:"value"`
	Found   bool   `json:"found"`
	OK      bool   `json:"ok"`
	Outcome string `json:"outcome,omitempty"` // "refused" or "unknown" on failure
	Error   string `json:"error,omitempty"`
}

// api is the replica's HTTP interface:
//
//	GET/PUT/DELETE /kv/{key}   read, write (body = value), delete
//	POST /op                   any store.Op as JSON (the test clients')
//	GET /status                the replica's Status as JSON
func api(r *replica.Replica) http.Handler {
	mux := http.NewServeMux()
	do := func(w http.ResponseWriter, req *http.Request, op store.Op) {
		ctx, cancel := context.WithTimeout(req.Context(), callTimeout)
		defer cancel()
		res, err := r.Do(ctx, op)
		out := wireResult{Value: res.Value, Found: res.Found, OK: res.OK}
		code := http.StatusOK
		switch {
		case errors.Is(err, replica.ErrRefused):
			code, out.Outcome, out.Error = http.StatusServiceUnavailable, "refused", err.Error()
		case err != nil:
			code, out.Outcome, out.Error = http.StatusGatewayTimeout, "unknown", err.Error()
		case op.Kind == store.Get && !res.Found:
			code = http.StatusNotFound
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(out)
	}
	mux.HandleFunc("GET /kv/{key}", func(w http.ResponseWriter, req *http.Request) {
		do(w, req, store.Op{Kind: store.Get, Key: req.PathValue("key")})
	})
	mux.HandleFunc("PUT /kv/{key}", func(w http.ResponseWriter, req *http.Request) {
		b, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		do(w, req, store.Op{Kind: store.Put, Key: req.PathValue("key"), Value: string(b)})
	})
	mux.HandleFunc("DELETE /kv/{key}", func(w http.ResponseWriter, req *http.Request) {
		do(w, req, store.Op{Kind: store.Delete, Key: req.PathValue("key")})
	})
	mux.HandleFunc("POST /op", func(w http.ResponseWriter, req *http.Request) {
		var op store.Op
		if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&op); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		do(w, req, op)
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, req *http.Request) {
		s, err := r.Status(2 * time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s)
	})
	return mux
}
