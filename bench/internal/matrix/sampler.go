package matrix

import (
	"sync"
	"time"
)

// Sample is the throughput series' point: At from the window's opening,
// Delivered the messages delivered per member (members of the final view)
// since then.
type Sample struct {
	At        time.Duration
	Delivered float64
}

// sampler reads the final view's members' delivery counters periodically.
type sampler struct {
	r       *run
	mu      sync.Mutex
	opened  time.Time
	base    int64
	samples []Sample
	stop    chan struct{}
	done    chan struct{}
}

func newSampler(r *run, every time.Duration) *sampler {
	s := &sampler{r: r, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.take()
			}
		}
	}()
	return s
}

func (s *sampler) count() int64 {
	var n int64
	for _, i := range s.r.survivors {
		n += s.r.members[i].delivered.Load()
	}
	return n
}

// open starts the series at the window's opening.
func (s *sampler) open(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opened, s.base = at, s.count()
	s.samples = append(s.samples, Sample{})
}

func (s *sampler) take() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opened.IsZero() {
		return
	}
	s.samples = append(s.samples, Sample{time.Since(s.opened), float64(s.count()-s.base) / float64(len(s.r.survivors))})
}

// close takes a last sample, stops the series and returns the deliveries
// at the final view's members since the opening (summed over them).
func (s *sampler) close() int64 {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.count() - s.base
	s.samples = append(s.samples, Sample{time.Since(s.opened), float64(n) / float64(len(s.r.survivors))})
	return n
}
