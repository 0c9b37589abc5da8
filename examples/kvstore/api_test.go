package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lockstep-actors/lockstep/examples/kvstore/replica"
	"github.com/lockstep-actors/lockstep/examples/kvstore/store"
)

// The HTTP API on an in-process replica: REST calls, the JSON call the test
// clients use, and the status.
func TestHTTPAPI(t *testing.T) {
	cfg := replica.DefaultClusterConfig()
	cfg.Replicas, cfg.SuspectTimeout = 3, 60
	c, err := replica.NewCluster(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv := httptest.NewServer(api(c.Replicas()[1]))
	defer srv.Close()
	call := func(method, path, body string) (int, wireResult) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out wireResult
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
		return resp.StatusCode, out
	}
	if code, _ := call("GET", "/kv/a", ""); code != http.StatusNotFound {
		t.Fatalf("GET of a missing key: %d", code)
	}
	if code, out := call("PUT", "/kv/a", "hello"); code != http.StatusOK || out.Found {
		t.Fatalf("PUT: %d %+v", code, out)
	}
	if code, out := call("GET", "/kv/a", ""); code != http.StatusOK || out.Value != "hello" || !out.Found {
		t.Fatalf("GET: %d %+v", code, out)
	}
	// The JSON call, through another replica's client, sees the write.
	d := newHTTPDoer(strings.TrimPrefix(srv.URL, "http://"))
	res, err := d.Do(context.Background(), store.Op{Kind: store.CAS, Key: "a", Expect: "hello", Value: "bye"})
	if err != nil || !res.OK || res.Value != "hello" {
		t.Fatalf("CAS: %+v %v", res, err)
	}
	if code, out := call("DELETE", "/kv/a", ""); code != http.StatusOK || out.Value != "bye" {
		t.Fatalf("DELETE: %d %+v", code, out)
	}
	if code, out := call("POST", "/op", `{"Kind":9,"Key":"a"}`); code != http.StatusServiceUnavailable || out.Outcome != "refused" {
		t.Fatalf("a malformed op: %d %+v", code, out)
	}
	resp, err := srv.Client().Get(srv.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st replica.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || len(st.Members) != 3 || st.Applied != 5 {
		t.Fatalf("status %+v, %v (want 3 members, 5 commands applied)", st, err)
	}
}
