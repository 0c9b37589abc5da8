package rawfanout

import (
	"context"
	"errors"
	"testing"

	"github.com/lockstep-actors/lockstep/bench/internal/loopback"
)

func TestLoopbackChild(t *testing.T) { loopback.Serve(t) }

func TestInProcessDeliversEverything(t *testing.T) {
	for _, n := range []int{1, 3} {
		res, err := InProcess(context.Background(), DefaultConfig(n, 20_000))
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if res.Messages != 20_000 || res.PerMember() <= 0 || res.Total() != res.PerMember()*float64(n) {
			t.Fatalf("n=%d: %+v", n, res)
		}
	}
}

func TestLoopbackDeliversEverything(t *testing.T) {
	res, err := Loopback(context.Background(), DefaultConfig(2, 20_000))
	if err != nil {
		t.Fatal(err)
	}
	if res.Receivers != 2 || res.Messages != 20_000 || res.PerMember() <= 0 {
		t.Fatalf("%+v", res)
	}
}

func TestGroupRunsRepeatedly(t *testing.T) {
	// counts are cumulative in the actors: later runs must still wait for
	// their own messages, including runs shorter than the credit interval
	g, err := StartInProcess(context.Background(), DefaultConfig(3, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, n := range []int{5000, 1, 3000, 7} {
		res, err := g.Run(context.Background(), n)
		if err != nil {
			t.Fatalf("run of %d: %v", n, err)
		}
		if res.Messages != n {
			t.Fatalf("run of %d: %+v", n, res)
		}
	}
	if _, err := g.Run(context.Background(), 0); !errors.Is(err, ErrConfig) {
		t.Fatalf("run of 0: %v, want ErrConfig", err)
	}
}

func TestValidate(t *testing.T) {
	bad := []Config{
		{Receivers: 0, Messages: 1, Window: 2, AckEvery: 1, Timeout: 1},
		{Receivers: 1, Messages: 0, Window: 2, AckEvery: 1, Timeout: 1},
		{Receivers: 1, Messages: 1, PayloadBytes: -1, Window: 2, AckEvery: 1, Timeout: 1},
		{Receivers: 1, Messages: 1, Window: 1, AckEvery: 1, Timeout: 1},
		{Receivers: 1, Messages: 1, Window: 2, AckEvery: 1, Timeout: 0},
	}
	for i, c := range bad {
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("case %d: %v, want ErrConfig", i, err)
		}
		if _, err := InProcess(context.Background(), c); !errors.Is(err, ErrConfig) {
			t.Errorf("case %d: InProcess %v, want ErrConfig", i, err)
		}
	}
}
