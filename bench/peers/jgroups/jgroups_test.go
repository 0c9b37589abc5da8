package jgroups

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	out := []byte(`RESULT mode=nakack sender_role=coordinator member=0 sender=true delivered=10 expected=10 seconds=0.1 msgs_per_sec=100 status=ok
SUMMARY mode=nakack sender=coordinator members=3 messages=10 min_msgs_per_sec=90 mean_msgs_per_sec=95 failed=0
SUMMARY mode=sequencer sender=coordinator members=2 messages=10 min_msgs_per_sec=0 mean_msgs_per_sec=0 failed=1
`)
	rs, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{Mode: "nakack", Sender: "coordinator", Members: 3, Messages: 10, MinRate: 90, MeanRate: 95},
		{Mode: "sequencer", Sender: "coordinator", Members: 2, Messages: 10, Failed: 1},
	}
	if len(rs) != len(want) {
		t.Fatalf("parsed %+v, want %+v", rs, want)
	}
	for i := range want {
		if rs[i] != want[i] {
			t.Errorf("result %d: %+v, want %+v", i, rs[i], want[i])
		}
	}
	if _, err := Parse([]byte("SUMMARY mode=nakack members=x\n")); !errors.Is(err, ErrParse) {
		t.Errorf("malformed line: %v, want ErrParse", err)
	}
}

func TestAvailableReportsMissingJar(t *testing.T) {
	if err := Available("/nonexistent/jgroups.jar"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("missing jar: %v, want ErrUnavailable", err)
	}
}
